import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnection, ScheduleRegistry } from '@mooring/queue';
import { nextRunAt } from '@mooring/scheduling';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

describe('ScheduleRegistry (real Redis)', () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  let registry: ScheduleRegistry;
  const orgId = randomUUID();

  beforeAll(async () => {
    redis = createTestRedis();
    connection = new RedisConnection({ redisUrl: redis.url, keyPrefix: redis.keyPrefix });
    await connection.onModuleInit();
    registry = new ScheduleRegistry(connection);
  });

  afterAll(async () => {
    await registry.onModuleDestroy();
    await connection.onApplicationShutdown();
    await redis.clear();
  });

  it('fires an interval schedule at the instant nextRunAt predicts, staggered per installation', async () => {
    const schedule = { type: 'interval', everySeconds: 3600 } as const;
    const [a, b] = [randomUUID(), randomUUID()];
    const before = new Date();
    await registry.register({ orgId, installationId: a }, schedule);
    await registry.register({ orgId, installationId: b }, schedule);
    const [nextA, nextB] = [await registry.nextRunAt(a), await registry.nextRunAt(b)];
    expect(nextA).toEqual(nextRunAt(schedule, a, before));
    expect(nextB).toEqual(nextRunAt(schedule, b, before));
    expect(nextA!.getTime()).not.toBe(nextB!.getTime());
    expect(nextA!.getTime()).toBeGreaterThan(before.getTime());
  });

  it('replaces a schedule when registered again, from any replica, without duplicating it', async () => {
    const id = randomUUID();
    const countBefore = await registry.count();
    await registry.register({ orgId, installationId: id }, { type: 'interval', everySeconds: 900 });
    await registry.register({ orgId, installationId: id }, { type: 'interval', everySeconds: 900 });
    const cron = { type: 'cron', expression: '30 6 * * *', timezone: 'Asia/Tokyo' } as const;
    const before = new Date();
    await registry.register({ orgId, installationId: id }, cron);
    expect(await registry.count()).toBe(countBefore + 1);
    const next = await registry.nextRunAt(id);
    expect(next).toEqual(nextRunAt(cron, id, before));
    expect(next!.toISOString()).toMatch(/T21:30:00\.000Z$/); // 06:30 in Tokyo
  });

  it('forgets an unregistered installation', async () => {
    const id = randomUUID();
    await registry.register({ orgId, installationId: id }, { type: 'interval', everySeconds: 900 });
    await registry.unregister(id);
    expect(await registry.nextRunAt(id)).toBeNull();
  });
});
