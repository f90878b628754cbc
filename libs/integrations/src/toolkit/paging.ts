import { DomainError } from '@mooring/platform';
import type { JsonObject, JsonValue } from '../integration-definition.js';
import type { Answer } from './answer.js';

// How a listing's next page is found. Tools do it five ways:
// - `linkHeader`: `Link: <…>; rel="next"` (GitHub; GitLab's keyset and offset listings);
// - `pageNumber`: `?page=N`, the next one from a header (GitLab's `X-Next-Page`) or a full page;
// - `offset`: `?offset=N&limit=M` until the body says no more (PagerDuty's `more`), within the
//   tool's reach (PagerDuty's classic listings stop at 10,000);
// - `cursor`: a token or a URL from the body (Jira's `nextPageToken`, PagerDuty's `next_cursor`, a
//   `next` link);
// - `keyset`: the next page starts after the last item's key (`?id_after=…`).
// The client (`ToolClient.pages`) checks every next page stays under the API root and never repeats.

/** Where a page came from, for messages. */
export interface PageSource {
  readonly tool: string;
  readonly path: string;
}

/** What a strategy sees of a page to find the next one. */
export interface ReadPage {
  readonly url: URL;
  readonly answer: Answer;
  readonly items: readonly JsonObject[];
}

export interface Paging {
  /** The first page's URL, from the listing's (page-size parameters added). */
  first(url: URL): URL;
  /** The page's items (found asynchronously when an expression selects them); a body that holds no list fails the listing. */
  items(body: JsonValue, source: PageSource): JsonObject[] | Promise<JsonObject[]>;
  /** The next page (a URL, absolute or relative to the page's), or null when the listing is complete. */
  next(page: ReadPage): string | URL | null;
  /** How many items the whole listing holds, when the tool says so: a listing ending short of it is incomplete. */
  total?(answer: Answer): JsonValue | undefined;
}

interface Items {
  /** The list's key when the body is an object (`{"workflows": […]}`); the body itself otherwise. */
  readonly itemsKey?: string;
  /** Where the tool states the listing's size (a `total` member, an `X-Total` header). */
  readonly total?: (answer: Answer) => JsonValue | undefined;
}

/** The list in a body: the body, or its `key` member. Anything else is not a listing. */
export function listIn(body: JsonValue, key: string | undefined, source: PageSource): JsonObject[] {
  const list = key === undefined ? body : isObject(body) ? body[key] : undefined;
  if (!Array.isArray(list)) {
    throw new DomainError(
      'UPSTREAM_MALFORMED',
      `${source.tool}'s answer to GET ${source.path} is not a listing: it holds no list${key === undefined ? '' : ` at "${key}"`}`,
      { status: 200, reason: 'not_a_listing', path: source.path },
    );
  }
  return list as JsonObject[];
}

/** The `rel="next"` target of a `Link` header (RFC 8288). */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match && match[2]!.split(/\s+/).includes('next')) return match[1]!;
  }
  return null;
}

export function linkHeader(options: Items = {}): Paging {
  return {
    first: (url) => url,
    items: (body, source) => listIn(body, options.itemsKey, source),
    ...(options.total ? { total: options.total } : {}),
    next: ({ answer }) => nextLink(answer.headers.get('link')),
  };
}

export function pageNumber(
  options: Items & {
    readonly size: number;
    readonly pageParam?: string;
    readonly sizeParam?: string;
    readonly firstPage?: number;
    /** A header naming the next page, empty on the last (GitLab's `x-next-page`); else a full page means more. */
    readonly nextPageHeader?: string;
  },
): Paging {
  const pageParam = options.pageParam ?? 'page';
  return {
    first: (url) => withParams(url, { [pageParam]: options.firstPage ?? 1, [options.sizeParam ?? 'per_page']: options.size }),
    items: (body, source) => listIn(body, options.itemsKey, source),
    ...(options.total ? { total: options.total } : {}),
    next: ({ url, answer, items }) => {
      const header = options.nextPageHeader === undefined ? null : answer.headers.get(options.nextPageHeader);
      if (header !== null) return header.trim() === '' ? null : withParams(url, { [pageParam]: header.trim() });
      if (items.length < options.size) return null;
      return withParams(url, { [pageParam]: Number(url.searchParams.get(pageParam)) + 1 });
    },
  };
}

export function offset(
  options: Items & {
    readonly limit: number;
    readonly offsetParam?: string;
    readonly limitParam?: string;
    /** Whether the body says more items follow (PagerDuty's `more`); else a full page means more. */
    readonly more?: (body: JsonValue) => boolean;
    /** The furthest offset the tool serves: a listing that goes on beyond it fails instead of ending short. */
    readonly maxOffset?: number;
  },
): Paging {
  const offsetParam = options.offsetParam ?? 'offset';
  return {
    first: (url) => withParams(url, { [offsetParam]: 0, [options.limitParam ?? 'limit']: options.limit }),
    items: (body, source) => listIn(body, options.itemsKey, source),
    ...(options.total ? { total: options.total } : {}),
    next: ({ url, answer, items }) => {
      const more = options.more ? options.more(answer.body) : items.length >= options.limit;
      if (!more || items.length === 0) return null;
      const next = Number(url.searchParams.get(offsetParam)) + items.length;
      if (options.maxOffset !== undefined && next >= options.maxOffset) {
        throw new DomainError(
          'UPSTREAM_FAILED',
          `The listing ${url.pathname} goes on beyond the ${options.maxOffset} items its tool lets offset paging reach: narrow the selector`,
          { status: answer.status, reason: 'listing_beyond_reach', maxOffset: options.maxOffset },
        );
      }
      return withParams(url, { [offsetParam]: next });
    },
  };
}

export function cursor(
  options: Items & {
    /** The next cursor or URL in the body; null, undefined or '' when the listing is complete. */
    readonly next: (body: JsonValue) => JsonValue | undefined;
    /** The query parameter the cursor goes in (`nextPageToken`); without it, the cursor is the next page's URL. */
    readonly param?: string;
    /** Whether the body says this was the last page (Jira's `isLast`). */
    readonly done?: (body: JsonValue) => boolean;
  },
): Paging {
  return {
    first: (url) => url,
    items: (body, source) => listIn(body, options.itemsKey, source),
    ...(options.total ? { total: options.total } : {}),
    next: ({ url, answer }) => {
      if (options.done?.(answer.body)) return null;
      const value = options.next(answer.body);
      if (value === null || value === undefined || value === '') return null;
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new DomainError('UPSTREAM_FAILED', `The next page of ${url.pathname} is neither a cursor nor a URL`, {
          status: answer.status,
          reason: 'invalid_cursor',
        });
      }
      return options.param ? withParams(url, { [options.param]: String(value) }) : String(value);
    },
  };
}

export function keyset(
  options: Items & {
    readonly size: number;
    /** The parameter the last item's key goes in (`id_after`). */
    readonly param: string;
    readonly key: (item: JsonObject) => JsonValue | undefined;
    readonly sizeParam?: string;
  },
): Paging {
  return {
    first: (url) => withParams(url, { [options.sizeParam ?? 'per_page']: options.size }),
    items: (body, source) => listIn(body, options.itemsKey, source),
    ...(options.total ? { total: options.total } : {}),
    next: ({ url, answer, items }) => {
      if (items.length < options.size) return null;
      const key = options.key(items.at(-1)!);
      if (typeof key !== 'string' && typeof key !== 'number') {
        throw new DomainError('UPSTREAM_FAILED', `The last item of a page of ${url.pathname} has no key to continue from`, {
          status: answer.status,
          reason: 'invalid_cursor',
        });
      }
      return withParams(url, { [options.param]: String(key) });
    },
  };
}

function withParams(url: URL, params: Readonly<Record<string, string | number>>): URL {
  const next = new URL(url);
  for (const [name, value] of Object.entries(params)) next.searchParams.set(name, String(value));
  return next;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
