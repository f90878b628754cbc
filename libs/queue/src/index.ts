export { AttemptLimiter, type AttemptCounter, type AttemptPolicy } from './attempt-limiter.js';
export * from './consumers.js';
export { DispatchSignal } from './dispatch-signal.js';
export * from './jobs.js';
export { QueueModule } from './queue.module.js';
export { REQUEST_TIMEOUT_MS, RedisConnection, withTimeout, type QueueOptions } from './redis-connection.js';
export { RedisSemaphore } from './redis-semaphore.js';
export { ScheduleRegistry } from './schedule-registry.js';
export { SYNC_RUN_QUEUE_OPTIONS, SyncRunQueue, type SyncRunQueueOptions } from './sync-run-queue.js';
