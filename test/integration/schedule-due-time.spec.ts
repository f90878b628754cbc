import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dueAtOf, type ResyncTickJob } from '@mooring/queue';
import { createTestRedis } from '../support/test-redis.js';

describe('the due time of a schedule tick', () => {
  const redis = createTestRedis();
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const ticks = new Queue<ResyncTickJob>('schedule-due-time', { connection, prefix: redis.keyPrefix });

  afterAll(async () => {
    await ticks.close();
    await redis.clear();
    connection.disconnect();
  });

  it('is the slot BullMQ produced the job for, on the schedule’s grid', async () => {
    await ticks.upsertJobScheduler(
      'installation-a',
      { every: 1_000, offset: 250 },
      { name: 'resync-tick', data: { orgId: 'o', installationId: 'a' } },
    );
    const [job] = await ticks.getDelayed();
    expect(job).toBeDefined();
    const due = dueAtOf(job!).getTime();
    expect(due % 1_000).toBe(250);
    expect(job!.id).toBe(`repeat:installation-a:${due}`);
  });

  it('stays the slot when the job was produced after it (its delay clamped to 0)', () => {
    const late = { id: 'repeat:installation-a:1700000001250', timestamp: 1_700_000_001_262, opts: { delay: 0 } };
    expect(dueAtOf(late as Pick<Job<ResyncTickJob>, 'id' | 'timestamp' | 'opts'>).getTime()).toBe(1_700_000_001_250);
  });

  it('is the job’s own time for a tick no scheduler produced', () => {
    const added = { id: '42', timestamp: 1_700_000_000_000, opts: { delay: 5_000 } };
    expect(dueAtOf(added as Pick<Job<ResyncTickJob>, 'id' | 'timestamp' | 'opts'>).getTime()).toBe(1_700_000_005_000);
  });
});
