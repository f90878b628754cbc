import { describe, expect, it } from 'vitest';
import { fanOut, readAhead } from './streams.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* names(count: number) {
  for (let i = 0; i < count; i++) yield await Promise.resolve(i);
}

describe('fanOut', () => {
  it('keeps its streams running while the consumer is busy, within the concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const pages = fanOut(
      names(30),
      async function* (n) {
        started.push(n);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await tick(5);
        inFlight--;
        yield [n];
      },
      5,
      { weight: (page) => page.length, maxBuffered: 100 },
    );
    const seen: number[] = [];
    for await (const page of pages) {
      seen.push(...page);
      // A slow consumer: the streams go on meanwhile, up to the buffer.
      if (seen.length === 1) await tick(100);
      if (seen.length === 1) expect(started.length).toBeGreaterThan(10);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(peak).toBeLessThanOrEqual(5);
    expect(peak).toBeGreaterThan(1);
  });

  it('starts no stream while the buffer is full, and keeps each stream in order', async () => {
    const started: number[] = [];
    const pages = fanOut(
      names(20),
      async function* (n) {
        started.push(n);
        await tick(0);
        yield [n, 'a'];
        yield [n, 'b'];
      },
      4,
      { maxBuffered: 4 },
    );
    const seen: Array<[number, string]> = [];
    for await (const page of pages) {
      if (!seen.length) {
        await tick(50);
        // At most 4 pages wait and one more page per stream is fetched: no stream beyond those.
        expect(started.length).toBeLessThanOrEqual(8);
      }
      seen.push(page as [number, string]);
    }
    expect(seen).toHaveLength(40);
    for (let n = 0; n < 20; n++) {
      const own = seen.filter(([m]) => m === n).map(([, part]) => part);
      expect(own).toEqual(['a', 'b']);
    }
  });

  it("throws a stream's error and closes the others and the source", async () => {
    let sourceClosed = false;
    let otherClosed = false;
    async function* source() {
      try {
        yield* names(10);
      } finally {
        sourceClosed = true;
      }
    }
    const pages = fanOut(
      source(),
      async function* (n) {
        if (n === 2) throw new Error('stream 2 broke');
        try {
          await tick(20);
          yield [n];
          await tick(1000);
          yield [n];
        } finally {
          if (n === 0) otherClosed = true;
        }
      },
      3,
    );
    await expect(
      (async () => {
        for await (const page of pages) void page;
      })(),
    ).rejects.toThrow('stream 2 broke');
    expect(sourceClosed).toBe(true);
    expect(otherClosed).toBe(true);
  });

  it("throws the source's error", async () => {
    async function* source() {
      yield await Promise.resolve(1);
      throw new Error('listing failed');
    }
    const pages = fanOut(source(), (n) => names(n), 2);
    await expect(
      (async () => {
        for await (const page of pages) void page;
      })(),
    ).rejects.toThrow('listing failed');
  });

  it('ends at once on an empty source, and stops early when the consumer stops', async () => {
    const empty: number[] = [];
    for await (const page of fanOut(names(0), (n) => names(n), 3)) empty.push(page);
    expect(empty).toEqual([]);
    let closed = 0;
    const endless = fanOut(
      names(1000),
      async function* (n) {
        try {
          yield n;
          await tick(10);
          yield n;
        } finally {
          closed++;
        }
      },
      3,
    );
    let count = 0;
    for await (const value of endless) {
      void value;
      if (++count === 5) break;
    }
    expect(count).toBe(5);
    expect(closed).toBeGreaterThan(0);
  });
});

describe('readAhead', () => {
  it('fetches the next page while the current one is handled, in order', async () => {
    const fetched: number[] = [];
    async function* pages() {
      for (let page = 0; page < 4; page++) {
        fetched.push(page);
        await tick(1);
        yield page;
      }
    }
    const seen: number[] = [];
    for await (const page of readAhead(pages())) {
      await tick(30);
      // The page after this one is already fetched.
      expect(fetched.length).toBeGreaterThanOrEqual(Math.min(page + 2, 4));
      seen.push(page);
    }
    expect(seen).toEqual([0, 1, 2, 3]);
  });
});
