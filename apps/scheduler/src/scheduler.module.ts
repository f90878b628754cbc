import { Module, type DynamicModule } from '@nestjs/common';
import { PersistenceModule } from '@mooring/persistence';
import type { Telemetry } from '@mooring/platform';
import { QueueModule } from '@mooring/queue';
import { RunsSchedulerModule } from '@mooring/runs/scheduler';
import type { SchedulerConfig } from './config.js';

@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig, telemetry: Telemetry): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot({
          redisUrl: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          bootWaitSeconds: config.redis.bootWaitSeconds,
        }),
        RunsSchedulerModule.forRoot({ ...config.dispatch, meter: telemetry.meter }),
      ],
    };
  }
}
