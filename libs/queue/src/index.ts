export * from './jobs.js';
export { QueueModule } from './queue.module.js';
export { RedisConnection, type QueueOptions } from './redis-connection.js';
export { ScheduleRegistry } from './schedule-registry.js';
