import { createHash } from 'node:crypto';
import type { Quota } from './rate-limits.js';
import { wait } from './wait.js';

/** Requests in flight per credential unless a tool says otherwise (Ocean's constant for GitHub). */
export const DEFAULT_MAX_IN_FLIGHT = 10;
/** A window's reset this close to the one known is the same window (tools that send "seconds from now" drift). */
const SAME_WINDOW_MS = 1000;
/** Waiting ends this long after a reset: the tool's clock and ours differ a little. */
const CLOCK_SKEW_MS = 1000;

export interface CredentialBudgetOptions {
  readonly maxInFlight?: number;
  /** Share of the quota left unused (e.g. for live events): requests wait for the reset below it. */
  readonly reserve?: number;
  readonly now?: () => number;
}

/**
 * One credential's budget with a tool, shared by every request made with it in this process: at
 * most `maxInFlight` requests at once, no request while a rate limit asks to wait, and no request
 * once the quota (as the last answers reported it) is down to the reserve, until the window resets.
 */
export class CredentialBudget {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private quota: Quota | undefined;
  private pausedUntil = 0;
  readonly maxInFlight: number;
  private readonly reserve: number;
  private readonly now: () => number;
  /** Total time requests spent waiting for a limit (not for a slot), for diagnostics. */
  waitedMs = 0;
  /** The most requests ever in flight at once with this credential in this process. */
  peakInFlight = 0;
  /** Slot-milliseconds spent in flight (divided by elapsed time: the slots busy on average). */
  private busyMs = 0;
  private changedAt = 0;

  constructor(options: CredentialBudgetOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.reserve = options.reserve ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** Waits for a slot and for the limits to allow a request; returns the slot's release. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    await this.slot(signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.account();
      this.inFlight--;
      this.queue.shift()?.();
    };
    try {
      for (;;) {
        const ms = this.waitMs();
        if (ms <= 0) return release;
        const started = this.now();
        await wait(ms, signal);
        this.waitedMs += this.now() - started;
      }
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Records the quota an answer reports. Answers arrive out of order: within one window the lowest count is the latest. */
  observe(quota: Quota | undefined): void {
    if (!quota) return;
    if (!this.quota || quota.resetAt > this.quota.resetAt + SAME_WINDOW_MS) this.quota = { ...quota };
    else if (quota.resetAt >= this.quota.resetAt - SAME_WINDOW_MS) {
      this.quota = { ...this.quota, remaining: Math.min(this.quota.remaining, quota.remaining) };
    }
  }

  /** Stops every request with this credential until `until` (epoch ms): a rate limit answered. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** The quota as last reported, if any. */
  get remaining(): Quota | undefined {
    return this.quota ? { ...this.quota } : undefined;
  }

  /** Slot-milliseconds spent in flight so far. */
  get busySlotMs(): number {
    this.account();
    return this.busyMs;
  }

  get idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  /** Adds the slots busy since the last change to the busy time; called before `inFlight` changes. */
  private account(): void {
    const now = performance.now();
    if (this.inFlight > 0) this.busyMs += this.inFlight * (now - this.changedAt);
    this.changedAt = now;
  }

  private taken(): void {
    this.account();
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
  }

  private waitMs(): number {
    const now = this.now();
    if (this.pausedUntil > now) return this.pausedUntil - now;
    const quota = this.quota;
    if (quota && quota.remaining <= quota.limit * this.reserve) {
      if (quota.resetAt + CLOCK_SKEW_MS > now) return quota.resetAt + CLOCK_SKEW_MS - now;
      this.quota = undefined; // a new window; the next answer reports it
    }
    return 0;
  }

  private async slot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.inFlight < this.maxInFlight) {
      this.taken();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', abort);
        this.taken();
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

/**
 * Names a credential on a tool's API root without revealing it: the key of its budget here and of
 * its shared cap in Redis (`github:<sha256>`).
 */
export function credentialKey(tool: string, apiRoot: string, token: string): string {
  return `${tool}:${createHash('sha256').update(apiRoot).update('\0').update(token).digest('base64url')}`;
}

const budgets = new Map<string, { budget: CredentialBudget; usedAt: number }>();
const FORGET_AFTER_MS = 2 * 60 * 60 * 1000;

/** Every credential's budget in this process, by key: what a benchmark reports as the client's side. */
export function budgetsInUse(): ReadonlyMap<string, CredentialBudget> {
  return new Map([...budgets].map(([key, entry]) => [key, entry.budget]));
}

/** The process-wide budget of a credential (by its key: the credential itself is never kept). */
export function budgetFor(key: string, options: CredentialBudgetOptions): CredentialBudget {
  const now = Date.now();
  for (const [other, entry] of budgets) {
    if (now - entry.usedAt > FORGET_AFTER_MS && entry.budget.idle) budgets.delete(other);
  }
  let entry = budgets.get(key);
  if (!entry) {
    entry = { budget: new CredentialBudget(options), usedAt: now };
    budgets.set(key, entry);
  }
  entry.usedAt = now;
  return entry.budget;
}
