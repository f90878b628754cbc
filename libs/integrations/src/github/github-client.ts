import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '@mooring/platform';
import type { CachedResponse, IntegrationConnection, JsonObject, JsonValue } from '../integration-definition.js';
import { githubApiBase } from './github-auth.js';
import { MAX_IN_FLIGHT_PER_TOKEN, rateLimiterFor, tokenKey, type GithubRateLimiter } from './github-rate-limiter.js';

export const PER_PAGE = 100;
/** GitHub asks to wait at least a minute after a secondary limit that names no time. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;
const MAX_SECONDARY_WAIT_MS = 15 * 60_000;
/** Attempts for server errors and dropped connections (rate limits are waited out, not counted). */
const MAX_ATTEMPTS = 5;
const STATUSES_WITHOUT_CONTENT = new Set([404, 410, 451]);

export interface GithubAnswer {
  readonly body: JsonValue;
  readonly next: string | null;
  /** Served from the installation's cache after a 304. */
  readonly notModified: boolean;
}

/** Counts of what a client did, for tests and the benchmark. */
export interface GithubClientStats {
  requests: number;
  notModified: number;
  rateLimitWaits: number;
}

/**
 * GitHub's REST API for one connection: every request conditional when the installation's cache
 * has the URL (a 304 is served from the cache and costs no quota), at most 10 requests in flight
 * per token, the quota's reserve kept for live events, rate limits waited out (primary: until
 * `x-ratelimit-reset`; secondary: `Retry-After`, or a minute and more), server errors retried.
 * A 401 is CREDENTIALS_INVALID: the token was revoked or expired.
 */
export class GithubClient {
  readonly apiBase: string;
  readonly stats: GithubClientStats = { requests: 0, notModified: 0, rateLimitWaits: 0 };
  private limiter: GithubRateLimiter | undefined;

  constructor(
    private readonly connection: IntegrationConnection,
    limiter?: GithubRateLimiter,
  ) {
    this.apiBase = githubApiBase(connection.settings);
    this.limiter = limiter;
  }

  /** A path under the API root with query parameters (`undefined` values left out). */
  url(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): string {
    const url = new URL(`${this.apiBase}${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  /** GET a URL; `null` when GitHub says the thing is not there (404, 410, 451). */
  async get(url: string): Promise<GithubAnswer | null> {
    this.assertSameApi(url);
    const cache = this.connection.responseCache;
    const cached = await cache?.get(url);
    const token = await this.connection.accessToken();
    this.limiter ??= rateLimiterFor(this.apiBase, token);
    let secondaryWaits = 0;
    const shared = this.connection.sharedConcurrency;
    const sharedKey = shared && tokenKey(this.apiBase, token);
    for (let attempt = 1; ;) {
      const releaseLocal = await this.limiter.acquire(this.connection.signal);
      // The per-token cap holds across worker processes too when the connection can share it.
      let releaseShared: (() => Promise<void>) | undefined;
      try {
        releaseShared = await shared?.acquire(sharedKey!, MAX_IN_FLIGHT_PER_TOKEN, this.connection.signal);
      } catch (error) {
        releaseLocal();
        throw error;
      }
      const release = () => {
        releaseLocal();
        void releaseShared?.().catch(() => {}); // an unreleased slot expires with its lease
      };
      let response: Response;
      let text: string;
      try {
        this.stats.requests++;
        response = await this.connection.fetch(url, {
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${token}`,
            'user-agent': 'mooring',
            'x-github-api-version': '2022-11-28',
            ...(cached ? { 'if-none-match': cached.etag } : {}),
          },
          signal: this.connection.signal,
        });
        text = response.status === 304 ? '' : await response.text();
      } catch (error) {
        release();
        this.connection.signal.throwIfAborted();
        if (attempt >= MAX_ATTEMPTS)
          throw failed(`GET ${pathOf(url)} failed: ${(error as Error).message}`, { path: pathOf(url) });
        await this.backoff(attempt++);
        continue;
      }
      release();
      this.limiter.observe(response.headers);

      if (response.status === 304 && cached) {
        this.stats.notModified++;
        return { body: parse(cached.body, url), next: nextLink(cached.headers['link'] ?? null), notModified: true };
      }
      if (response.ok) {
        const link = response.headers.get('link');
        const etag = response.headers.get('etag');
        if (etag && cache) await cache.put(url, { etag, body: text, headers: link ? { link } : {} } satisfies CachedResponse);
        return { body: parse(text, url), next: nextLink(link), notModified: false };
      }
      if (response.status === 401) {
        throw new DomainError(
          'CREDENTIALS_INVALID',
          'GitHub rejected the token (401 Bad credentials): it was revoked or has expired',
          {
            status: 401,
            path: pathOf(url),
          },
        );
      }
      const rateLimitWait = this.rateLimitWait(response, text, ++secondaryWaits);
      if (rateLimitWait !== null) {
        // Waited out however long it takes: a rate limit never fails the run (the run's signal can).
        this.stats.rateLimitWaits++;
        this.limiter.pauseUntil(Date.now() + rateLimitWait);
        continue;
      }
      if (STATUSES_WITHOUT_CONTENT.has(response.status)) return null;
      if ((response.status >= 500 || response.status === 408) && attempt < MAX_ATTEMPTS) {
        await this.backoff(attempt++);
        continue;
      }
      throw failed(`GitHub answered ${response.status} to GET ${pathOf(url)}: ${githubMessage(text)}`, {
        status: response.status,
        path: pathOf(url),
      });
    }
  }

  /** Every page of a listing (`per_page=100`, `Link: rel="next"`), each page's items in order. */
  async *pages(url: string, itemsKey?: string): AsyncGenerator<JsonObject[]> {
    let next: string | null = url;
    while (next) {
      const answer = await this.get(next);
      if (!answer) return;
      yield itemsOf(answer.body, itemsKey, next);
      next = answer.next;
    }
  }

  /**
   * Milliseconds to wait when the answer is a rate limit, else null. Secondary limits are 403 or
   * 429 with `Retry-After` or a "secondary rate limit" message; an exhausted primary quota is a 403
   * or 429 with `x-ratelimit-remaining: 0`, waited until `x-ratelimit-reset`.
   */
  private rateLimitWait(response: Response, text: string, occurrence: number): number | null {
    if (response.status !== 403 && response.status !== 429) return null;
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      if (Number.isFinite(seconds)) return Math.max(0, seconds) * 1000;
      const date = Date.parse(retryAfter);
      if (Number.isFinite(date)) return Math.max(0, date - Date.now());
    }
    if (response.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - Date.now()) + 1000;
    }
    if (response.status === 429 || /secondary rate limit|abuse detection/i.test(githubMessage(text))) {
      return Math.min(SECONDARY_LIMIT_WAIT_MS * 2 ** (occurrence - 1), MAX_SECONDARY_WAIT_MS);
    }
    return null;
  }

  private async backoff(attempt: number): Promise<void> {
    const base = 250 * 2 ** (attempt - 1);
    await sleep(base + Math.random() * base * 0.2, undefined, { signal: this.connection.signal });
  }

  /** The token goes only to this installation's API root, whatever a `Link` header says. */
  private assertSameApi(url: string): void {
    if (!url.startsWith(`${this.apiBase}/`)) {
      throw failed(`GitHub sent a link outside its API (${new URL(url).origin}); not following it`, {});
    }
  }
}

function failed(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('UPSTREAM_FAILED', message, details);
}

function parse(text: string, url: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw failed(`GitHub answered GET ${pathOf(url)} with something other than JSON`, { path: pathOf(url) });
  }
}

function itemsOf(body: JsonValue, itemsKey: string | undefined, url: string): JsonObject[] {
  const items = itemsKey && body && typeof body === 'object' && !Array.isArray(body) ? body[itemsKey] : body;
  if (!Array.isArray(items)) throw failed(`GitHub's answer to GET ${pathOf(url)} holds no list`, { path: pathOf(url) });
  return items as JsonObject[];
}

/** The `rel="next"` target of a `Link` header (RFC 8288), as GitHub writes it. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match && match[2]!.split(/\s+/).includes('next')) return match[1]!;
  }
  return null;
}

function githubMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    return typeof body.message === 'string' ? body.message.slice(0, 300) : '';
  } catch {
    return text.slice(0, 300);
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}
