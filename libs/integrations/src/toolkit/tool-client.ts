import { DomainError, isDomainError } from '@mooring/platform';
import type { CachedResponse, CountedPage, IntegrationConnection, JsonObject, JsonValue } from '../integration-definition.js';
import type { Answer } from './answer.js';
import { ApiRoot } from './api-root.js';
import { DEFAULT_MAX_IN_FLIGHT, budgetFor, credentialKey, type CredentialBudget } from './credential-budget.js';
import type { Paging } from './paging.js';
import { readQuota, retryAfterMs, type Quota } from './rate-limits.js';
import { wait } from './wait.js';

/** A rate limit answered without saying how long to wait: a minute, doubling up to 15 (GitHub's advice). */
const RATE_LIMIT_WAIT_MS = 60_000;
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;
const DEFAULT_MAX_RATE_LIMIT_WAITS = 10;
/** Headers a cached answer keeps, for paging strategies to read after a 304. */
const PAGING_HEADERS = ['link', 'x-next-page', 'x-page', 'x-per-page', 'x-total', 'x-total-pages'];

export interface ToolClientOptions {
  /** Short id of the tool, naming its budgets (`github`). */
  readonly id: string;
  /** The tool's name in messages (`GitHub`). */
  readonly tool: string;
  /** Where the installation's API lives; requests and the links they follow stay under it. */
  readonly apiRoot: string;
  /** Headers of every request for the current token (authorization, media type, API version). */
  readonly headers: (token: string) => Readonly<Record<string, string>>;
  /**
   * Whether the tool answers conditional requests (`ETag`, `If-None-Match`, 304): each GET then looks
   * up the installation's response cache. Default true; false for tools that send no ETags.
   */
  readonly conditionalRequests?: boolean;
  /** Requests in flight per credential: within the process, and across processes when the connection shares a cap. */
  readonly maxInFlight?: number;
  /** Share of the quota left unused (kept for live events): requests wait for the reset below it. */
  readonly quotaReserve?: number;
  /** How answers report the quota; by default `x-ratelimit-*` or `RateLimit-*` (see rate-limits.ts). */
  readonly quota?: (headers: Headers) => Quota | undefined;
  /** Statuses that may be a rate limit (429 always; GitHub also uses 403). */
  readonly rateLimitStatuses?: readonly number[];
  /** Whether an answer with such a status and no header saying so is a rate limit anyway (GitHub's message). */
  readonly rateLimitedBody?: (text: string) => boolean;
  /**
   * Statuses meaning the thing is not there: `get` answers null and a listing ends (GitHub: a
   * repository deleted mid-run). None by default: an unexpected 404 fails rather than looking empty.
   */
  readonly absentStatuses?: readonly number[];
  /** Statuses meaning the credentials were refused (default 401): CREDENTIALS_INVALID. */
  readonly refusedStatuses?: readonly number[];
  /** The message of CREDENTIALS_INVALID for a refused status. */
  readonly refusedMessage?: (status: number) => string;
  /** The message of UPSTREAM_FAILED for an error answer; by default the status, the path and the tool's `message`. */
  readonly describeFailure?: (status: number, url: URL, text: string) => string;
  /** Attempts for server errors, 408 and dropped connections (rate limits are waited out, not counted). Default 5. */
  readonly maxAttempts?: number;
  /**
   * Rate-limit answers in a row to one request that are waited out in the run (default 10). A tool
   * still refusing after that fails the request with its Retry-After, so the run is retried later
   * and the worker's slot is free meanwhile.
   */
  readonly maxRateLimitWaits?: number;
  /**
   * How a page's URL is sent when not as a plain GET: a search endpoint that takes POST with a JSON
   * body, paging fields moved from the URL into the body. The page's URL stays what paging
   * strategies read and what loops are detected on; what is sent must stay under the API root.
   */
  readonly request?: (url: URL) => ToolRequest;
}

/** One request as sent (see ToolClientOptions.request). */
export interface ToolRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  /** Sent as JSON. */
  readonly body?: JsonValue;
}

/** Counts of what a client did, for tests and benchmarks. */
export interface ToolClientStats {
  requests: number;
  notModified: number;
  rateLimitWaits: number;
}

/**
 * HTTP to one tool for one connection, as every integration needs it: requests only under the
 * installation's API root (through the connection's SSRF-guarded fetch, which also caps response
 * bodies and is aborted by the run's deadline), conditional when the installation's cache has the
 * URL (a 304 is served from the cache), at most `maxInFlight` requests per credential (shared by the
 * process and, with the connection's shared cap, by every worker), the quota's reserve kept, rate
 * limits waited out (`Retry-After`, a quota's reset, or a minute and more; a tool that keeps
 * refusing fails the request with its Retry-After after `maxRateLimitWaits`), server errors and
 * dropped connections retried with backoff, and refused credentials reported as CREDENTIALS_INVALID.
 * Listings go through `pages` with a paging strategy (paging.ts).
 */
export class ToolClient {
  readonly root: ApiRoot;
  readonly stats: ToolClientStats = { requests: 0, notModified: 0, rateLimitWaits: 0 };
  private budget: CredentialBudget | undefined;

  constructor(
    private readonly connection: IntegrationConnection,
    private readonly options: ToolClientOptions,
    budget?: CredentialBudget,
  ) {
    this.root = new ApiRoot(options.apiRoot, options.tool);
    this.budget = budget;
  }

  /** A path under the API root with query parameters (`undefined` values left out). */
  url(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): string {
    return this.root.resolve(path, query).toString();
  }

  /** GET a URL under the API root (or send it as `request` says); `null` when the tool says the thing is not there. */
  async get(target: string | URL): Promise<Answer | null> {
    const { connection, options } = this;
    const page = this.root.check(target);
    const sent = options.request?.(page) ?? { url: page, method: 'GET' as const };
    const url = this.root.check(sent.url).toString();
    const method = sent.method;
    const payload = sent.body === undefined ? undefined : JSON.stringify(sent.body);
    const cache = options.conditionalRequests === false || method !== 'GET' ? undefined : connection.responseCache;
    const cached = await cache?.get(url);
    const token = await connection.accessToken();
    const key = credentialKey(options.id, this.root.url.toString(), connection.quotaKey ?? token);
    const budget = (this.budget ??= budgetFor(key, {
      maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      ...(options.quotaReserve !== undefined ? { reserve: options.quotaReserve } : {}),
    }));
    const shared = connection.sharedConcurrency;
    let rateLimits = 0;
    for (let attempt = 1; ;) {
      const releaseLocal = await budget.acquire(connection.signal);
      let releaseShared: (() => Promise<void>) | undefined;
      try {
        releaseShared = await shared?.acquire(key, budget.maxInFlight, connection.signal);
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
        response = await connection.fetch(url, {
          method,
          headers: {
            ...options.headers(token),
            ...(cached ? { 'if-none-match': cached.etag } : {}),
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(payload === undefined ? {} : { body: payload }),
          signal: connection.signal,
        });
        text = response.status === 304 ? '' : await response.text();
      } catch (error) {
        release();
        connection.signal.throwIfAborted();
        // Refused by the guard, or too large: the same answer next time.
        if (isDomainError(error) && error.code !== 'UPSTREAM_FAILED') throw error;
        if (attempt >= this.maxAttempts) {
          throw failed(`${method} ${pathOf(url)} failed: ${(error as Error).message}`, { path: pathOf(url) });
        }
        await this.backoff(attempt++);
        continue;
      }
      release();
      budget.observe((options.quota ?? readQuota)(response.headers));

      if (response.status === 304 && cached) {
        this.stats.notModified++;
        // The body is the cached one, but paging headers are the 304's own: a listing whose last
        // page was full and then grew answers its unchanged page 304 with a new `Link` to the next.
        const headers = new Headers({ ...cached.headers, ...pagingHeaders(response.headers) });
        return { status: 304, body: this.parse(cached.body, url, method), headers, notModified: true };
      }
      if (response.ok) {
        const body = this.parse(text, url, method);
        const etag = response.headers.get('etag');
        if (etag && cache)
          await cache.put(url, { etag, body: text, headers: pagingHeaders(response.headers) } satisfies CachedResponse);
        return { status: response.status, body, headers: response.headers, notModified: false };
      }
      if ((options.refusedStatuses ?? [401]).includes(response.status)) {
        const message =
          options.refusedMessage?.(response.status) ??
          `${options.tool} rejected the credentials (${response.status}): they were revoked or have expired`;
        throw new DomainError('CREDENTIALS_INVALID', message, { status: response.status, path: pathOf(url) });
      }
      const rateLimitMs = this.rateLimitWait(response, text, ++rateLimits);
      if (rateLimitMs !== null && rateLimits <= (options.maxRateLimitWaits ?? DEFAULT_MAX_RATE_LIMIT_WAITS)) {
        this.stats.rateLimitWaits++;
        budget.pauseUntil(Date.now() + rateLimitMs);
        continue;
      }
      if ((options.absentStatuses ?? []).includes(response.status)) return null;
      if ((response.status >= 500 || response.status === 408) && attempt < this.maxAttempts) {
        await this.backoff(attempt++);
        continue;
      }
      const message =
        options.describeFailure?.(response.status, new URL(url), text) ??
        `${options.tool} answered ${response.status} to ${method} ${pathOf(url)}: ${toolMessage(text)}`;
      throw failed(message, {
        status: response.status,
        path: pathOf(url),
        ...(response.status === 429 || response.status === 503 || rateLimitMs !== null
          ? optionalRetryAfter(response.headers)
          : {}),
      });
    }
  }

  /**
   * Every page of a listing, each page's items in order, as the paging strategy finds the next one.
   * A next page outside the API root, a next page already read (a loop), or a page that holds no
   * list fails the listing: better no answer than a partial one taken for the whole.
   */
  async *pages(listing: string | URL, paging: Paging): AsyncGenerator<JsonObject[]> {
    for await (const page of this.read(listing, paging)) yield page.items;
  }

  /**
   * The pages of a listing as a kind's extract yields them: with the listing's size when the tool
   * states it (the paging strategy's `total`), so the engine can tell a listing that ended early.
   */
  async *countedPages(listing: string | URL, paging: Paging): AsyncGenerator<CountedPage> {
    for await (const { items, answer } of this.read(listing, paging)) {
      const total = paging.total?.(answer);
      if (total === undefined || total === null) {
        yield { items };
      } else if (typeof total === 'number') {
        yield { items, total };
      } else {
        throw new DomainError(
          'UPSTREAM_MALFORMED',
          `${this.options.tool} stated the size of ${pathOf(answer.url)} as ${typeof total}, not a count`,
        );
      }
    }
  }

  private async *read(
    listing: string | URL,
    paging: Paging,
  ): AsyncGenerator<{ items: JsonObject[]; answer: Answer & { url: string } }> {
    let url: URL | null = paging.first(this.root.check(listing));
    const read = new Set<string>();
    while (url) {
      if (read.has(url.href)) {
        throw failed(`${this.options.tool} gave ${pathOf(url.href)} as the next page again: the listing loops`, {
          status: 200,
          reason: 'paging_loop',
          path: pathOf(url.href),
        });
      }
      read.add(url.href);
      const answer = await this.get(url);
      if (!answer) return;
      const items = await paging.items(answer.body, { tool: this.options.tool, path: pathOf(url.href) });
      yield { items, answer: { ...answer, url: url.href } };
      const next = paging.next({ url, answer, items });
      url = next === null ? null : this.root.check(next, url, answer.status);
    }
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 5;
  }

  /**
   * Milliseconds to wait when the answer is a rate limit, else null: `Retry-After`; an exhausted
   * quota until its reset; a 429 (or what `rateLimitedBody` recognises) a minute, doubling.
   */
  private rateLimitWait(response: Response, text: string, occurrence: number): number | null {
    const statuses = this.options.rateLimitStatuses ?? [429];
    if (response.status !== 429 && !statuses.includes(response.status)) return null;
    const retryAfter = retryAfterMs(response.headers);
    if (retryAfter !== undefined) return retryAfter;
    const quota = (this.options.quota ?? readQuota)(response.headers);
    if (quota && quota.remaining === 0) return Math.max(0, quota.resetAt - Date.now()) + 1000;
    if (response.status === 429 || this.options.rateLimitedBody?.(text)) {
      return Math.min(RATE_LIMIT_WAIT_MS * 2 ** (occurrence - 1), MAX_RATE_LIMIT_WAIT_MS);
    }
    return null;
  }

  private async backoff(attempt: number): Promise<void> {
    const base = 250 * 2 ** (attempt - 1);
    await wait(base + Math.random() * base * 0.2, this.connection.signal);
  }

  private parse(text: string, url: string, method: string): JsonValue {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      throw failed(`${this.options.tool} answered ${method} ${pathOf(url)} with something other than JSON`, {
        status: 200,
        path: pathOf(url),
      });
    }
  }
}

/** The explanation in a tool's error answer (`message` or `error`, as most tools write it), shortened. */
export function toolMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = body.message ?? body.error;
    return typeof message === 'string' ? message.slice(0, 300) : '';
  } catch {
    return text.slice(0, 300);
  }
}

function failed(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('UPSTREAM_FAILED', message, details);
}

function pagingHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of PAGING_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return kept;
}

function optionalRetryAfter(headers: Headers): Record<string, number> {
  const wait = retryAfterMs(headers);
  return wait === undefined ? {} : { retryAfterMs: wait };
}

/** Path and query of a URL: what messages show (never the host's credentials or a token in a query). */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}
