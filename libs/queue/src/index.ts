export { QueueModule } from './queue.module.js';
export { RedisConnection, type QueueOptions } from './redis-connection.js';
