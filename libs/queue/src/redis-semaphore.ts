import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { QUEUE_OPTIONS, RedisConnection, type QueueOptions } from './redis-connection.js';

/** A slot is held at most this long: a crashed holder's slot frees itself. */
const LEASE_MS = 120_000;
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 200;

// Drops expired leases, then takes a slot if fewer than the limit are held. One round trip.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * Counting semaphores in Redis, shared by every process: what lets a tool's per-token cap (e.g.
 * GitHub's 10 requests in flight) hold across workers. Slots are leases in a sorted set, so a
 * holder that dies frees its slot after the lease. Waiters poll with jitter.
 */
@Injectable()
export class RedisSemaphore {
  constructor(
    private readonly redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) private readonly options: QueueOptions,
  ) {}

  async acquire(key: string, limit: number, signal: AbortSignal): Promise<() => Promise<void>> {
    const set = `${this.options.keyPrefix}:semaphore:${key}`;
    const holder = randomUUID();
    for (let wait = POLL_MIN_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
      signal.throwIfAborted();
      const taken = await this.redis.client.eval(ACQUIRE, 1, set, Date.now(), LEASE_MS, limit, holder);
      if (taken === 1) {
        return async () => {
          await this.redis.client.zrem(set, holder);
        };
      }
      // An abort rejects with the signal's own reason (a time limit, a shutdown), not a bare AbortError.
      await sleep(wait / 2 + Math.random() * (wait / 2), undefined, { signal }).catch(() => signal.throwIfAborted());
    }
  }
}
