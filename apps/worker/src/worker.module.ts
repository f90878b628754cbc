import { Module, type DynamicModule } from '@nestjs/common';
import { createVault } from '@mooring/crypto';
import { InstallationsModule, installationsOptionsFromConfig, outboundOptionsFromConfig } from '@mooring/installations';
import { PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import type { WorkerConfig } from './config.js';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PersistenceModule.forRoot({ url: config.database.url, poolSize: config.database.poolSize }),
        QueueModule.forRoot({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix }),
        // IntegrationConnections: what sync runs use to reach tools (tokens refreshed, SSRF-guarded fetch).
        InstallationsModule.forRoot({
          vault: createVault(config.vault),
          outbound: outboundOptionsFromConfig(config.outbound),
          installations: installationsOptionsFromConfig(config),
        }),
      ],
    };
  }
}
