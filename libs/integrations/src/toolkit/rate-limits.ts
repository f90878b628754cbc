// What tools say about their limits, read from response headers. Tools disagree on the spelling:
// - GitHub: `x-ratelimit-limit`, `-remaining`, `-reset` (epoch seconds), `-resource` (core, search…);
// - Jira Cloud: `x-ratelimit-*` with `x-ratelimit-reset` as an ISO 8601 instant;
// - GitLab: `RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds), `-ResetTime` (HTTP date);
// - PagerDuty and the IETF draft: `RateLimit-Limit`, `-Remaining`, `-Reset` (seconds from now);
// - everyone: `Retry-After` (seconds or an HTTP date) on 429 and 503.

/** A tool's quota as its last answer reported it. */
export interface Quota {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch milliseconds when the window resets. */
  readonly resetAt: number;
}

/** Reset values below this are seconds from now; above, epoch seconds (no window lasts 30 years). */
const EPOCH_SECONDS_FROM = 1e9;

/** An instant from a reset header: seconds from now, epoch seconds, or a date. */
export function resetInstant(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  if (Number.isFinite(number)) {
    if (number < 0) return undefined;
    return number >= EPOCH_SECONDS_FROM ? number * 1000 : now + number * 1000;
  }
  const date = Date.parse(value);
  return Number.isFinite(date) ? date : undefined;
}

/** Milliseconds a `Retry-After` asks to wait (seconds or an HTTP date), if the answer has one. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * The quota an answer reports, in whichever spelling the tool uses (`x-ratelimit-*` first, then
 * `RateLimit-*`). Answers about another budget than the main one (GitHub's `search`) are ignored.
 */
export function readQuota(headers: Headers, now = Date.now()): Quota | undefined {
  const resource = headers.get('x-ratelimit-resource');
  if (resource && resource !== 'core') return undefined;
  for (const prefix of ['x-ratelimit-', 'ratelimit-']) {
    const remaining = headers.get(`${prefix}remaining`);
    if (remaining === null) continue;
    const limit = Number(headers.get(`${prefix}limit`));
    const left = Number(remaining);
    const resetAt = resetInstant(headers.get(`${prefix}reset`), now) ?? resetInstant(headers.get(`${prefix}resettime`), now);
    if (!Number.isFinite(left) || left < 0 || !Number.isFinite(limit) || limit <= 0 || resetAt === undefined) return undefined;
    return { limit, remaining: left, resetAt };
  }
  return undefined;
}
