import type { IntegrationConnection, ItemFailure, JsonObject, KindDefinition } from '@mooring/integrations';
import { DomainError } from '@mooring/platform';

export interface ExtractedPage {
  /** The page's items, in the tool's own shape. */
  readonly items: readonly JsonObject[];
  /** Items the integration skipped since the last page (`itemFailed`): counted as fetch failures. */
  readonly skipped: readonly ItemFailure[];
}

/**
 * The kind's pages, one at a time, with the next page already requested while the current one is
 * mapped and loaded. Memory holds at most two pages, whatever the kind's size. Items the
 * integration reports skipped come with the next page (or an empty last one).
 *
 * Whatever an integration passes on, each page must be a listing: a list of JSON objects. Anything
 * else (a missing list, a null entry) fails the kind with UPSTREAM_MALFORMED rather than being
 * skipped, since an item that cannot be read is an item reconciliation would wrongly think gone.
 * When the tool reported the listing's size, a listing that ends with fewer items fails with
 * UPSTREAM_INCOMPLETE (a tool that ended it early).
 */
export async function* extractPages(
  kindName: string,
  kind: KindDefinition,
  connection: IntegrationConnection,
  selectorOptions: Readonly<Record<string, unknown>>,
): AsyncGenerator<ExtractedPage> {
  let pages = 0;
  let fetched = 0;
  let total: number | undefined;
  const skipped: ItemFailure[] = [];
  const reporting: IntegrationConnection = { ...connection, itemFailed: (failure) => void skipped.push(failure) };
  for await (const page of prefetch(kind.extract(reporting, selectorOptions))) {
    pages++;
    const listing = asListing(page, `page ${pages} of ${kindName}`);
    fetched += listing.items.length;
    if (listing.total !== undefined) total = listing.total;
    yield { items: listing.items, skipped: skipped.splice(0) };
  }
  if (skipped.length) yield { items: [], skipped: skipped.splice(0) };
  if (total !== undefined && fetched < total) {
    throw new DomainError(
      'UPSTREAM_INCOMPLETE',
      `the tool reported ${total} ${kindName} items, but its listing ended after ${fetched}`,
      { kind: kindName, total, fetched },
    );
  }
}

function asListing(page: unknown, what: string): { items: readonly JsonObject[]; total?: number } {
  const counted = isObject(page) && 'items' in page;
  const items: unknown = Array.isArray(page) ? page : counted ? page['items'] : page;
  if (!Array.isArray(items)) {
    const found = counted || !isObject(page) ? describe(items) : 'missing (undefined)';
    throw malformed(what, `its items are ${found}, not a list`);
  }
  const entry = items.findIndex((item) => !isObject(item));
  if (entry >= 0) throw malformed(what, `entry ${entry + 1} is ${describe(items[entry])}, not an object`);
  const total = counted ? page['total'] : undefined;
  if (total !== undefined && !(typeof total === 'number' && Number.isInteger(total) && total >= 0)) {
    throw malformed(what, `its total is ${describe(total)}, not a count`);
  }
  return { items: items as JsonObject[], ...(total === undefined ? {} : { total }) };
}

function malformed(what: string, problem: string): DomainError {
  return new DomainError('UPSTREAM_MALFORMED', `${what} is not a listing: ${problem}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing (undefined)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a JSON object';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // Observed when awaited on the next turn; until then a rejection must not be "unhandled".
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    await iterator.return?.().catch(() => {});
  }
}
