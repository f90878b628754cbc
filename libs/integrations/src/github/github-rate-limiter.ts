import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** Requests in flight per token (Ocean's constant; GitHub's secondary limit allows 100). */
export const MAX_IN_FLIGHT_PER_TOKEN = 10;
/** Share of the primary quota left to live events: syncs wait for the reset below it. */
export const DEFAULT_QUOTA_RESERVE = 0.05;

export interface RateLimiterOptions {
  readonly maxInFlight?: number;
  readonly reserve?: number;
  readonly now?: () => number;
}

interface Quota {
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the window resets. */
  resetAt: number;
}

/**
 * One token's budget with GitHub, shared by every request made with that token in this process:
 * at most `maxInFlight` requests at once, no request while a secondary limit asks to wait, and no
 * request once the primary quota (as the last answers reported it) is down to the reserve, until
 * the window resets. Answers to conditional requests (304) do not lower the quota.
 */
export class GithubRateLimiter {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private quota: Quota | undefined;
  private pausedUntil = 0;
  private readonly maxInFlight: number;
  private readonly reserve: number;
  private readonly now: () => number;
  /** Total time requests spent waiting for a limit (not for a slot), for diagnostics. */
  waitedMs = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT_PER_TOKEN;
    this.reserve = options.reserve ?? DEFAULT_QUOTA_RESERVE;
    this.now = options.now ?? Date.now;
  }

  /** Waits for a slot and for the limits to allow a request; returns the slot's release. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    await this.slot(signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.queue.shift()?.();
    };
    try {
      for (;;) {
        const wait = this.waitMs();
        if (wait <= 0) return release;
        const started = this.now();
        await sleep(wait, undefined, { signal });
        this.waitedMs += this.now() - started;
      }
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Records the quota an answer reports (`x-ratelimit-*` of the core resource). */
  observe(headers: Headers): void {
    const resource = headers.get('x-ratelimit-resource');
    if (resource && resource !== 'core') return;
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!headers.has('x-ratelimit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(reset) || !limit) return;
    const resetAt = reset * 1000;
    // Answers arrive out of order: within one window the lowest count is the latest.
    if (!this.quota || resetAt > this.quota.resetAt) this.quota = { limit, remaining, resetAt };
    else if (resetAt === this.quota.resetAt) this.quota.remaining = Math.min(this.quota.remaining, remaining);
  }

  /** Stops every request with this token until `until` (epoch ms): a secondary or exhausted limit. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** The quota as last reported, if any. */
  get remaining(): { limit: number; remaining: number; resetAt: number } | undefined {
    return this.quota ? { ...this.quota } : undefined;
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  private waitMs(): number {
    const now = this.now();
    if (this.pausedUntil > now) return this.pausedUntil - now;
    const quota = this.quota;
    if (quota && quota.remaining <= quota.limit * this.reserve) {
      // One second past the reset: GitHub's clock and ours differ a little.
      if (quota.resetAt + 1000 > now) return quota.resetAt + 1000 - now;
      this.quota = undefined; // a new window; the next answer reports it
    }
    return 0;
  }

  private async slot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', abort);
        this.inFlight++;
        resolve();
      };
      const abort = () => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal.reason as Error);
      };
      this.queue.push(grant);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}

const limiters = new Map<string, { limiter: GithubRateLimiter; usedAt: number }>();
const FORGET_AFTER_MS = 2 * 60 * 60 * 1000;

/** Names a token on an API root without revealing it: for limiters here and shared ones in Redis. */
export function tokenKey(apiBase: string, token: string): string {
  return `github:${createHash('sha256').update(apiBase).update('\0').update(token).digest('base64url')}`;
}

/** The process-wide limiter of a token on an API root (the token itself is never kept). */
export function rateLimiterFor(apiBase: string, token: string): GithubRateLimiter {
  const key = tokenKey(apiBase, token);
  const now = Date.now();
  for (const [other, entry] of limiters) {
    if (now - entry.usedAt > FORGET_AFTER_MS && entry.limiter.idle) limiters.delete(other);
  }
  let entry = limiters.get(key);
  if (!entry) {
    entry = { limiter: new GithubRateLimiter(), usedAt: now };
    limiters.set(key, entry);
  }
  entry.usedAt = now;
  return entry.limiter;
}
