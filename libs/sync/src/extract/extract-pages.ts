import type { IntegrationConnection, ItemFailure, JsonObject, KindDefinition } from '@mooring/integrations';

export interface ExtractedPage {
  /** The page's items that are JSON objects, in the tool's own shape. */
  readonly items: readonly JsonObject[];
  /** Entries of the page that are not objects: counted as fetch failures. */
  readonly invalid: number;
  /** Items the integration skipped since the last page (`itemFailed`): counted as fetch failures. */
  readonly skipped: readonly ItemFailure[];
}

/**
 * The kind's pages, one at a time, with the next page already requested while the current one is
 * mapped and loaded. Memory holds at most two pages, whatever the kind's size. Items the
 * integration reports skipped come with the next page (or an empty last one).
 */
export async function* extractPages(
  kind: KindDefinition,
  connection: IntegrationConnection,
  selectorOptions: Readonly<Record<string, unknown>>,
): AsyncGenerator<ExtractedPage> {
  const skipped: ItemFailure[] = [];
  const reporting: IntegrationConnection = { ...connection, itemFailed: (failure) => void skipped.push(failure) };
  for await (const page of prefetch(kind.extract(reporting, selectorOptions))) {
    if (!Array.isArray(page)) {
      yield { items: [], invalid: 1, skipped: skipped.splice(0) };
      continue;
    }
    const items = page.filter(isObject);
    yield { items, invalid: page.length - items.length, skipped: skipped.splice(0) };
  }
  if (skipped.length) yield { items: [], invalid: 0, skipped: skipped.splice(0) };
}

function isObject(value: unknown): value is JsonObject {
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
