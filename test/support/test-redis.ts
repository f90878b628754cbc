import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export interface TestRedis {
  readonly url: string;
  /** A key namespace of this test file alone. */
  readonly keyPrefix: string;
  /** Deletes every key of the namespace. */
  clear(): Promise<void>;
}

/** A namespace on the run's Redis, or on `url` (a test's own server). */
export function createTestRedis(url: string = inject('redisUrl')): TestRedis {
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  return {
    url,
    keyPrefix,
    async clear() {
      const client = new Redis(url);
      try {
        const stream = client.scanStream({ match: `${keyPrefix}:*`, count: 500 });
        for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await client.unlink(...keys);
      } finally {
        client.disconnect();
      }
    },
  };
}
