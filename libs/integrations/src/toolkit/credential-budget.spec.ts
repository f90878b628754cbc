import { describe, expect, it } from 'vitest';
import { CredentialBudget } from './credential-budget.js';
import { readQuota } from './rate-limits.js';

const pending = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

const github = (remaining: number, resetAt: number, limit = 5000) =>
  readQuota(
    new Headers({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.floor(resetAt / 1000)),
      'x-ratelimit-resource': 'core',
    }),
  );

describe('a credential budget', () => {
  it('lets at most 10 requests per credential be in flight', async () => {
    const budget = new CredentialBudget({ maxInFlight: 10 });
    const signal = new AbortController().signal;
    const releases = await Promise.all(Array.from({ length: 10 }, () => budget.acquire(signal)));
    const eleventh = budget.acquire(signal);
    expect(await pending(eleventh, 50)).toBe(true);
    releases[0]!();
    expect(await pending(eleventh, 50)).toBe(false);
  });

  it('counts the most requests it had in flight and the slot time they held', async () => {
    const budget = new CredentialBudget({ maxInFlight: 10 });
    const signal = new AbortController().signal;
    const first = await Promise.all(Array.from({ length: 3 }, () => budget.acquire(signal)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const release of first) release();
    first[0]!(); // a second release of the same slot changes nothing
    (await budget.acquire(signal))();
    expect(budget.peakInFlight).toBe(3);
    expect(budget.busySlotMs).toBeGreaterThanOrEqual(3 * 15);
    expect(budget.idle).toBe(true);
  });

  it('keeps the last 5% of the quota for live events: no request until the window resets', async () => {
    const budget = new CredentialBudget({ reserve: 0.05 });
    const signal = new AbortController().signal;
    budget.observe(github(251, Date.now() + 3600_000));
    (await budget.acquire(signal))(); // above the reserve
    budget.observe(github(250, Date.now() + 3600_000));
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    expect(await pending(waiting, 100)).toBe(true);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();

    const soon = new CredentialBudget({ reserve: 0.05 });
    // The reset is rounded down to whole seconds, as GitHub sends it; waiting ends a second after it.
    soon.observe(github(10, Date.now()));
    await soon.acquire(signal);
    expect(soon.waitedMs).toBeGreaterThan(0);
  });

  it('keeps the lowest count of a window whatever order answers arrive in, and ignores other resources', () => {
    const budget = new CredentialBudget();
    const reset = Date.now() + 600_000;
    budget.observe(github(4000, reset));
    budget.observe(github(4100, reset));
    expect(budget.remaining?.remaining).toBe(4000);
    budget.observe(
      readQuota(
        new Headers({
          'x-ratelimit-limit': '30',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1',
          'x-ratelimit-resource': 'search',
        }),
      ),
    );
    expect(budget.remaining?.remaining).toBe(4000);
    budget.observe(github(4999, reset + 3600_000));
    expect(budget.remaining?.remaining).toBe(4999);
  });

  it('stops every request while a rate limit asks to wait, and lets an abort end the wait', async () => {
    const budget = new CredentialBudget();
    budget.pauseUntil(Date.now() + 60_000);
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    expect(await pending(waiting, 50)).toBe(true);
    controller.abort(new Error('run timed out'));
    await expect(waiting).rejects.toThrow('run timed out');
    expect(budget.idle).toBe(true);
  });
});
