import { Module, type DynamicModule } from '@nestjs/common';
import { createVault } from '@mooring/crypto';
import {
  InstallationsModule,
  SHARED_CONCURRENCY,
  installationsOptionsFromConfig,
  outboundOptionsFromConfig,
} from '@mooring/installations';
import { PersistenceModule } from '@mooring/persistence';
import type { Logger, Telemetry } from '@mooring/platform';
import { QueueModule, RedisSemaphore } from '@mooring/queue';
import { RunsModule } from '@mooring/runs';
import type { WorkerConfig } from './config.js';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, telemetry: Telemetry, logger: Logger): DynamicModule {
    // IntegrationConnections: what sync runs use to reach tools (tokens refreshed, SSRF-guarded fetch).
    const installations = InstallationsModule.forRoot({
      vault: createVault(config.vault),
      outbound: outboundOptionsFromConfig(config.outbound),
      installations: installationsOptionsFromConfig(config),
      // Tools' per-token request caps hold across every worker process.
      providers: [{ provide: SHARED_CONCURRENCY, useExisting: RedisSemaphore }],
    });
    return {
      module: WorkerModule,
      imports: [
        PersistenceModule.forRoot({ url: config.database.url, poolSize: config.database.poolSize }),
        QueueModule.forRoot({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix }),
        installations,
        RunsModule.forWorker({ ...config.runs, meter: telemetry.meter, logger, installations }),
      ],
    };
  }
}
