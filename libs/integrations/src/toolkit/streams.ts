import type { JsonObject } from '../integration-definition.js';

/**
 * Expands every item of `items` into a stream of pages (e.g. each repository into its pull
 * requests) and merges them as they arrive, `concurrency` streams at a time. Each stream has at most
 * one page read ahead, so memory holds about `concurrency` pages whatever the number of items.
 */
export async function* fanOut<T, R>(
  items: AsyncIterable<T>,
  expand: (item: T) => AsyncIterable<R>,
  concurrency: number,
): AsyncGenerator<R> {
  type Step = { readonly id: number; readonly result: IteratorResult<R> };
  const source = items[Symbol.asyncIterator]();
  const running = new Map<number, { iterator: AsyncIterator<R>; next: Promise<Step> }>();
  const pull = (id: number, iterator: AsyncIterator<R>): Promise<Step> => {
    const next = iterator.next().then((result) => ({ id, result }));
    next.catch(() => {}); // observed by the race below; never an unhandled rejection
    return next;
  };
  let sourceDone = false;
  let ids = 0;
  try {
    for (;;) {
      while (!sourceDone && running.size < concurrency) {
        const item = await source.next();
        if (item.done) {
          sourceDone = true;
          break;
        }
        const iterator = expand(item.value)[Symbol.asyncIterator]();
        const id = ids++;
        running.set(id, { iterator, next: pull(id, iterator) });
      }
      if (!running.size) return;
      const { id, result } = await Promise.race([...running.values()].map((stream) => stream.next));
      const stream = running.get(id)!;
      if (result.done) {
        running.delete(id);
        continue;
      }
      stream.next = pull(id, stream.iterator);
      yield result.value;
    }
  } finally {
    await Promise.all([...running.values()].map((stream) => Promise.resolve(stream.iterator.return?.()).catch(() => {})));
    await source.return?.().catch(() => {});
  }
}

/** Pages of at least `size` items (the last may be smaller): many small per-repository pages become few. */
export async function* rechunk(pages: AsyncIterable<readonly JsonObject[]>, size: number): AsyncGenerator<JsonObject[]> {
  let buffer: JsonObject[] = [];
  for await (const page of pages) {
    // A loop, not push(...page): spreading a page of a hundred thousand items overflows the call stack.
    for (const item of page) buffer.push(item);
    if (buffer.length >= size) {
      yield buffer;
      buffer = [];
    }
  }
  if (buffer.length) yield buffer;
}

/** The items of a stream of pages, one by one. */
export async function* flatten<T>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

/** Stops a listing after `max` items. */
export async function* limit(pages: AsyncIterable<readonly JsonObject[]>, max: number): AsyncGenerator<JsonObject[]> {
  let left = max;
  for await (const page of pages) {
    yield page.slice(0, left);
    left -= page.length;
    if (left <= 0) return;
  }
}
