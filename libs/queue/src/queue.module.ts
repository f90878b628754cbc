import { Module, type DynamicModule } from '@nestjs/common';
import { QUEUE_OPTIONS, RedisConnection, type QueueOptions } from './redis-connection.js';
import { ScheduleRegistry } from './schedule-registry.js';

@Module({})
export class QueueModule {
  static forRoot(options: QueueOptions): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [{ provide: QUEUE_OPTIONS, useValue: options }, RedisConnection, ScheduleRegistry],
      exports: [RedisConnection, ScheduleRegistry],
    };
  }
}
