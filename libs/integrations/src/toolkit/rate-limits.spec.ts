import { describe, expect, it } from 'vitest';
import { readQuota, resetInstant, retryAfterMs } from './rate-limits.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('rate-limit headers as tools send them', () => {
  it('reads GitHub’s x-ratelimit-* (reset in epoch seconds) and ignores budgets other than core', () => {
    const headers = new Headers({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4990',
      'x-ratelimit-reset': String(NOW / 1000 + 600),
      'x-ratelimit-resource': 'core',
    });
    expect(readQuota(headers, NOW)).toEqual({ limit: 5000, remaining: 4990, resetAt: NOW + 600_000 });
    headers.set('x-ratelimit-resource', 'search');
    expect(readQuota(headers, NOW)).toBeUndefined();
  });

  it('reads GitLab’s RateLimit-* (reset in epoch seconds, or RateLimit-ResetTime as a date)', () => {
    const gitlab = new Headers({
      'RateLimit-Limit': '2000',
      'RateLimit-Observed': '1990',
      'RateLimit-Remaining': '10',
      'RateLimit-Reset': String(NOW / 1000 + 42),
    });
    expect(readQuota(gitlab, NOW)).toEqual({ limit: 2000, remaining: 10, resetAt: NOW + 42_000 });
    gitlab.delete('RateLimit-Reset');
    gitlab.set('RateLimit-ResetTime', new Date(NOW + 60_000).toUTCString());
    expect(readQuota(gitlab, NOW)).toEqual({ limit: 2000, remaining: 10, resetAt: NOW + 60_000 });
  });

  it('reads the IETF draft’s RateLimit-Reset in seconds from now (PagerDuty), and Jira’s ISO instant', () => {
    const pagerduty = new Headers({ 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': '17' });
    expect(readQuota(pagerduty, NOW)).toEqual({ limit: 960, remaining: 0, resetAt: NOW + 17_000 });
    const jira = new Headers({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '3',
      'x-ratelimit-reset': new Date(NOW + 5_000).toISOString(),
    });
    expect(readQuota(jira, NOW)).toEqual({ limit: 100, remaining: 3, resetAt: NOW + 5_000 });
  });

  it('reads nothing from malformed or partial headers', () => {
    expect(readQuota(new Headers(), NOW)).toBeUndefined();
    expect(
      readQuota(new Headers({ 'ratelimit-remaining': 'lots', 'ratelimit-limit': '10', 'ratelimit-reset': '1' }), NOW),
    ).toBeUndefined();
    expect(readQuota(new Headers({ 'ratelimit-remaining': '5', 'ratelimit-limit': '10' }), NOW)).toBeUndefined();
    expect(
      readQuota(new Headers({ 'ratelimit-remaining': '5', 'ratelimit-limit': '0', 'ratelimit-reset': '1' }), NOW),
    ).toBeUndefined();
    expect(resetInstant('-3', NOW)).toBeUndefined();
    expect(resetInstant('soon', NOW)).toBeUndefined();
  });

  it('reads Retry-After in seconds or as an HTTP date, never negative', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), NOW)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(NOW + 2_000).toUTCString() }), NOW)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(NOW - 9_000).toUTCString() }), NOW)).toBe(0);
    expect(retryAfterMs(new Headers({ 'retry-after': 'later' }), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
  });
});
