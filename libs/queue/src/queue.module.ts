import { Module, type DynamicModule } from '@nestjs/common';
import { AttemptLimiter } from './attempt-limiter.js';
import { QUEUE_OPTIONS, RedisConnection, type QueueOptions } from './redis-connection.js';
import { DispatchSignal } from './dispatch-signal.js';
import { LiveEventQueue } from './live-event-queue.js';
import { RedisSemaphore } from './redis-semaphore.js';
import { ScheduleRegistry } from './schedule-registry.js';

@Module({})
export class QueueModule {
  static forRoot(options: QueueOptions): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        { provide: QUEUE_OPTIONS, useValue: options },
        RedisConnection,
        ScheduleRegistry,
        DispatchSignal,
        RedisSemaphore,
        AttemptLimiter,
        LiveEventQueue,
      ],
      exports: [QUEUE_OPTIONS, RedisConnection, ScheduleRegistry, DispatchSignal, RedisSemaphore, AttemptLimiter, LiveEventQueue],
    };
  }
}
