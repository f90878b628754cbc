import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptLimiter, RedisConnection } from '@mooring/queue';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// Attempts of one key arriving together are counted by one Redis call: the limit still holds
// exactly, across processes (two limiters on one Redis stand for two api replicas).
describe('AttemptLimiter (real Redis)', () => {
  let redis: TestRedis;
  let connections: RedisConnection[];
  let replicas: AttemptLimiter[];

  beforeAll(async () => {
    redis = createTestRedis();
    connections = [0, 1].map(() => new RedisConnection({ redisUrl: redis.url, keyPrefix: redis.keyPrefix }));
    for (const connection of connections) await connection.onModuleInit();
    replicas = connections.map((connection) => new AttemptLimiter(connection));
  });

  afterAll(async () => {
    for (const connection of connections) await connection.onApplicationShutdown();
    await redis.clear();
  });

  it('passes exactly the window’s attempts of a burst, the first ones in arrival order, and tells the rest how long to wait', async () => {
    const counter = replicas[0]!.counter({ name: `burst-${randomUUID()}`, maxAttempts: 25, windowSeconds: 60 });
    const waits = await Promise.all(Array.from({ length: 60 }, () => counter.attempt('hook-a')));
    expect(waits.slice(0, 25)).toEqual(Array.from({ length: 25 }, () => 0));
    for (const wait of waits.slice(25)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
    // Another key has its own window.
    expect(await counter.attempt('hook-b')).toBe(0);
  });

  it('shares one window between replicas bursting on the same key', async () => {
    const policy = { name: `shared-${randomUUID()}`, maxAttempts: 40, windowSeconds: 60 };
    const [one, two] = replicas.map((replica) => replica.counter(policy));
    const waits = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? one! : two!).attempt('hook-a')));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(40);
    // Spent: the next attempt from either replica waits.
    expect(await one!.attempt('hook-a')).toBeGreaterThan(0);
    expect(await two!.attempt('hook-a')).toBeGreaterThan(0);
  });

  it('gives back a refunded attempt and forgets a reset key', async () => {
    const counter = replicas[1]!.counter({ name: `refund-${randomUUID()}`, maxAttempts: 2, windowSeconds: 60 });
    expect(await Promise.all([counter.attempt('k'), counter.attempt('k')])).toEqual([0, 0]);
    expect(await counter.attempt('k')).toBeGreaterThan(0);
    await counter.reset('k');
    expect(await counter.attempt('k')).toBe(0);
    await counter.refund('k');
    expect(await Promise.all([counter.attempt('k'), counter.attempt('k')])).toEqual([0, 0]);
  });
});
