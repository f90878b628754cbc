import { RedisConnection, RedisSemaphore } from '@mooring/queue';
import type { TestRedis } from './test-redis.js';

/** Redis semaphores as separate worker processes hold them: each on its own Redis connection. */
export class ProcessSemaphores {
  private readonly connections: RedisConnection[] = [];

  constructor(private readonly redis: TestRedis) {}

  /** One more "process": a new connection and its semaphore. */
  async next(): Promise<RedisSemaphore> {
    const options = { redisUrl: this.redis.url, keyPrefix: this.redis.keyPrefix };
    const connection = new RedisConnection(options);
    await connection.onModuleInit();
    this.connections.push(connection);
    return new RedisSemaphore(connection, options);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) await connection.onApplicationShutdown();
  }
}
