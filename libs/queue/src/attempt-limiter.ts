import { Injectable } from '@nestjs/common';
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { REQUEST_TIMEOUT_MS, RedisConnection } from './redis-connection.js';

/** At most `maxAttempts` counted attempts per key within a fixed window of `windowSeconds`. */
export interface AttemptPolicy {
  /** Names the counter in Redis, e.g. `sign-in:account`. */
  readonly name: string;
  readonly maxAttempts: number;
  readonly windowSeconds: number;
}

/** Counts attempts of one kind per key, across every process (Redis). */
export interface AttemptCounter {
  /**
   * Counts one attempt, atomically, before it is made (so parallel attempts cannot slip past the
   * limit): 0 when it is within the limit, otherwise how long until the window ends.
   */
  attempt(key: string): Promise<number>;
  /** Takes one attempt back (e.g. a sign-in that succeeded does not count against its address). */
  refund(key: string): Promise<void>;
  /** Forgets the key's attempts (e.g. after a successful sign-in to the account). */
  reset(key: string): Promise<void>;
}

/** Attempts of one key waiting for the Redis call in flight for it to end. */
interface KeyLane {
  waiting: Array<{ resolve: (waitMs: number) => void; reject: (error: unknown) => void }>;
  counting: boolean;
}

/**
 * Attempt counters in Redis (rate-limiter-flexible's fixed windows, one atomic increment per
 * call), shared by every api replica. Keys should not be secrets; hash them if they are.
 * While Redis is down or slow (past REQUEST_TIMEOUT_MS) each process counts in its own memory
 * instead, so a Redis outage neither hangs a request nor lifts the limits. Attempts of one key
 * that arrive while a call for it is in flight are counted together by the next call (a burst of
 * webhook deliveries to one hook costs a round trip per batch, not per delivery), in arrival order:
 * the ones the window still had room for pass.
 */
@Injectable()
export class AttemptLimiter {
  constructor(private readonly redis: RedisConnection) {}

  counter(policy: AttemptPolicy): AttemptCounter {
    const window = { points: policy.maxAttempts, duration: policy.windowSeconds };
    const limiter = new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        ...window,
        storeClient: this.redis.client,
        keyPrefix: `${this.redis.options.keyPrefix}:attempts:${policy.name}`,
        rejectIfRedisNotReady: true,
      }),
      insuranceLimiter: new RateLimiterMemory(window),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const lanes = new Map<string, KeyLane>();
    const count = async (key: string, lane: KeyLane) => {
      lane.counting = true;
      while (lane.waiting.length) {
        const batch = lane.waiting.splice(0);
        let state: RateLimiterRes;
        try {
          state = await limiter.consume(key, batch.length);
        } catch (error) {
          // Over the limit is an outcome (rate-limiter-flexible rejects with its state), not a failure.
          if (!(error instanceof RateLimiterRes)) {
            for (const waiting of batch) waiting.reject(error);
            continue;
          }
          state = error;
        }
        const before = state.consumedPoints - batch.length;
        batch.forEach((waiting, i) =>
          waiting.resolve(before + i + 1 <= policy.maxAttempts ? 0 : Math.max(1, state.msBeforeNext)),
        );
      }
      lanes.delete(key);
    };
    return {
      attempt(key) {
        let lane = lanes.get(key);
        if (!lane) {
          lane = { waiting: [], counting: false };
          lanes.set(key, lane);
        }
        const answer = new Promise<number>((resolve, reject) => lane.waiting.push({ resolve, reject }));
        if (!lane.counting) void count(key, lane);
        return answer;
      },
      async refund(key) {
        await limiter.reward(key, 1);
      },
      async reset(key) {
        await limiter.delete(key);
      },
    };
  }
}
