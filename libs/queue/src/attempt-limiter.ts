import { Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisConnection } from './redis-connection.js';

/** At most `maxAttempts` counted attempts per key within a fixed window of `windowSeconds`. */
export interface AttemptPolicy {
  /** Names the counter in Redis, e.g. `sign-in:account`. */
  readonly name: string;
  readonly maxAttempts: number;
  readonly windowSeconds: number;
}

/** Counts attempts of one kind per key, across every process (Redis). */
export interface AttemptCounter {
  /** 0 while more attempts are allowed; otherwise how long until the window ends. */
  retryAfterMs(key: string): Promise<number>;
  /** Counts one attempt (e.g. a failed sign-in). */
  record(key: string): Promise<void>;
  /** Forgets the key's attempts (e.g. after a successful sign-in). */
  reset(key: string): Promise<void>;
}

/**
 * Attempt counters in Redis (rate-limiter-flexible's fixed windows, one atomic increment per
 * attempt), shared by every api replica. Keys should not be secrets; hash them if they are.
 */
@Injectable()
export class AttemptLimiter {
  constructor(private readonly redis: RedisConnection) {}

  counter(policy: AttemptPolicy): AttemptCounter {
    const limiter = new RateLimiterRedis({
      storeClient: this.redis.client,
      keyPrefix: `${this.redis.options.keyPrefix}:attempts:${policy.name}`,
      points: policy.maxAttempts,
      duration: policy.windowSeconds,
    });
    return {
      async retryAfterMs(key) {
        const state = await limiter.get(key);
        return state && state.consumedPoints >= policy.maxAttempts ? Math.max(1, state.msBeforeNext) : 0;
      },
      async record(key) {
        try {
          await limiter.consume(key);
        } catch (error) {
          // Over the limit is an outcome here (retryAfterMs reports it), not a failure.
          if (!(error instanceof RateLimiterRes)) throw error;
        }
      },
      async reset(key) {
        await limiter.delete(key);
      },
    };
  }
}
