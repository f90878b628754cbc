import type { JsonObject } from '../integration-definition.js';

export interface FanOutOptions<R> {
  /** How much one result weighs against `maxBuffered` (e.g. a page's item count); 1 by default. */
  readonly weight?: (result: R) => number;
  /** No new stream starts while results of this weight wait for the consumer; `concurrency` by default. */
  readonly maxBuffered?: number;
}

/**
 * Expands every item of `items` into a stream of pages (e.g. each repository into its pull
 * requests) and merges them as they arrive, `concurrency` streams at a time. The streams run ahead
 * of the consumer: while it is busy (e.g. writing a page), each stream fetches its next page and a
 * finished stream's slot goes to the next item at once, so a tool's request slots stay busy. Memory
 * stays bounded: each stream holds at most one page the consumer has not taken, and no stream starts
 * while `maxBuffered` weight of results waits.
 */
export async function* fanOut<T, R>(
  items: AsyncIterable<T>,
  expand: (item: T) => AsyncIterable<R>,
  concurrency: number,
  options: FanOutOptions<R> = {},
): AsyncGenerator<R> {
  type Stream = { readonly iterator: AsyncIterator<R>; taken?: () => void; waiting: boolean };
  const weight = options.weight ?? (() => 1);
  const maxBuffered = options.maxBuffered ?? concurrency;
  const source = items[Symbol.asyncIterator]();
  const running = new Set<Stream>();
  const ready: Array<{ readonly stream: Stream; readonly value: R }> = [];
  let buffered = 0;
  let sourceDone = false;
  let pulling = false;
  let stopped = false;
  let failure: { readonly error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    notify();
  };

  const drive = async (stream: Stream) => {
    try {
      while (!stopped) {
        const result = await stream.iterator.next();
        if (result.done || stopped) break;
        // One page per stream waits for the consumer; the next is fetched meanwhile.
        if (stream.waiting) await new Promise<void>((resolve) => (stream.taken = resolve));
        if (stopped) break;
        stream.waiting = true;
        ready.push({ stream, value: result.value });
        buffered += weight(result.value);
        notify();
      }
    } catch (error) {
      fail(error);
    } finally {
      running.delete(stream);
      startMore();
      notify();
    }
  };

  const startMore = () => {
    if (stopped || failure || pulling || sourceDone || running.size >= concurrency || buffered >= maxBuffered) return;
    pulling = true;
    source.next().then(
      (item) => {
        pulling = false;
        if (item.done) sourceDone = true;
        else {
          const stream: Stream = { iterator: expand(item.value)[Symbol.asyncIterator](), waiting: false };
          running.add(stream);
          void drive(stream);
        }
        startMore();
        notify();
      },
      (error: unknown) => {
        pulling = false;
        fail(error);
      },
    );
  };

  try {
    startMore();
    for (;;) {
      if (failure) throw failure.error;
      const next = ready.shift();
      if (next) {
        buffered -= weight(next.value);
        next.stream.waiting = false;
        next.stream.taken?.();
        next.stream.taken = undefined;
        startMore();
        yield next.value;
        continue;
      }
      if (sourceDone && !pulling && running.size === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    for (const stream of running) stream.taken?.();
    await Promise.all([...running].map((stream) => Promise.resolve(stream.iterator.return?.()).catch(() => {})));
    await source.return?.().catch(() => {});
  }
}

/** The same stream, its next result fetched while the consumer handles the current one. */
export function readAhead<R>(stream: AsyncIterable<R>): AsyncGenerator<R> {
  return fanOut(
    (async function* () {
      yield await Promise.resolve(stream);
    })(),
    (only) => only,
    1,
  );
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
