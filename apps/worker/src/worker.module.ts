import { Module, type DynamicModule } from '@nestjs/common';
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
      ],
    };
  }
}
