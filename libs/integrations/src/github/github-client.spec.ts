import { describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import type { IntegrationConnection } from '../integration-definition.js';
import { GithubClient, nextLink } from './github-client.js';
import { GithubRateLimiter } from './github-rate-limiter.js';

const pending = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

function connection(fetch: IntegrationConnection['fetch']): IntegrationConnection {
  return {
    settings: { host: 'https://ghe.example.com' },
    accessToken: () => Promise.resolve('t0ken'),
    fetch,
    signal: new AbortController().signal,
  };
}

describe('GitHub REST client', () => {
  it('reads rel="next" from Link headers as GitHub writes them', () => {
    const link =
      '<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="prev", <https://api.github.com/repositories/1000/issues?per_page=3&page=3>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last"';
    expect(nextLink(link)).toBe('https://api.github.com/repositories/1000/issues?per_page=3&page=3');
    expect(nextLink('<https://api.github.com/x?page=1>; rel="first"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('never follows a Link to another host with the token', async () => {
    const calls: string[] = [];
    const client = new GithubClient(
      connection((url) => {
        calls.push(String(url));
        return Promise.resolve(
          new Response('[]', { status: 200, headers: { link: '<https://evil.example.com/api/v3/x?page=2>; rel="next"' } }),
        );
      }),
      new GithubRateLimiter(),
    );
    const pages: unknown[] = [];
    const error = await (async () => {
      for await (const page of client.pages(client.url('/orgs/acme/repos'))) pages.push(page);
    })().catch((e: unknown) => e);
    expect(isDomainError(error, 'UPSTREAM_FAILED')).toBe(true);
    expect(calls).toEqual(['https://ghe.example.com/api/v3/orgs/acme/repos']);
  });

  it('answers a 401 with CREDENTIALS_INVALID, and a 404 with nothing', async () => {
    const status = { value: 401 };
    const client = new GithubClient(
      connection(() => Promise.resolve(new Response('{"message":"x"}', { status: status.value }))),
      new GithubRateLimiter(),
    );
    await expect(client.get(client.url('/user'))).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
    status.value = 404;
    expect(await client.get(client.url('/repos/a/b/pulls'))).toBeNull();
  });
});

describe('GitHub rate limiter', () => {
  const headers = (remaining: number, resetAt: number, limit = 5000) =>
    new Headers({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.floor(resetAt / 1000)),
      'x-ratelimit-resource': 'core',
    });

  it('lets at most 10 requests per token be in flight', async () => {
    const limiter = new GithubRateLimiter();
    const signal = new AbortController().signal;
    const releases = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire(signal)));
    const eleventh = limiter.acquire(signal);
    expect(await pending(eleventh, 50)).toBe(true);
    releases[0]!();
    expect(await pending(eleventh, 50)).toBe(false);
  });

  it('keeps the last 5% of the quota for live events: no request until the window resets', async () => {
    const limiter = new GithubRateLimiter();
    const signal = new AbortController().signal;
    limiter.observe(headers(251, Date.now() + 3600_000));
    (await limiter.acquire(signal))(); // above the reserve
    limiter.observe(headers(250, Date.now() + 3600_000));
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(await pending(waiting, 100)).toBe(true);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();

    const soon = new GithubRateLimiter();
    // The reset is rounded down to whole seconds, as GitHub sends it; waiting ends a second after it.
    soon.observe(headers(10, Date.now()));
    await soon.acquire(signal);
    expect(soon.waitedMs).toBeGreaterThan(0);
  });

  it('keeps the lowest count of a window whatever order answers arrive in, and ignores other resources', () => {
    const limiter = new GithubRateLimiter();
    const reset = Date.now() + 600_000;
    limiter.observe(headers(4000, reset));
    limiter.observe(headers(4100, reset));
    expect(limiter.remaining?.remaining).toBe(4000);
    limiter.observe(
      new Headers({
        'x-ratelimit-limit': '30',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1',
        'x-ratelimit-resource': 'search',
      }),
    );
    expect(limiter.remaining?.remaining).toBe(4000);
    limiter.observe(headers(4999, reset + 3600_000));
    expect(limiter.remaining?.remaining).toBe(4999);
  });
});
