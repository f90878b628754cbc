import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS, type JsonObject } from '@mooring/integrations';
import { FakeRestApi, fakeProjects, testConnection } from '@mooring/integrations/testing';
import type { RedisSemaphore } from '@mooring/queue';
import { ProcessSemaphores } from '../support/process-semaphores.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const genericHttp = INTEGRATIONS.find((integration) => integration.id === 'generic-http')!;

// A generic kind's declared request rate holds across worker processes: two "processes" (each its
// own Redis connection and semaphore) list the same kind of the same installation at once, and no
// second of the API's log holds more starts than the kind allows.
describe('a generic kind’s request rate, shared across worker processes', () => {
  let api: FakeRestApi;
  let redis: TestRedis;
  let semaphores: ProcessSemaphores;
  const semaphore = () => semaphores.next();

  beforeAll(async () => {
    redis = createTestRedis();
    semaphores = new ProcessSemaphores(redis);
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(5));
  });
  afterAll(async () => {
    await semaphores?.close();
    await api?.close();
    await redis.clear();
  });

  it('starts at most `requestsPerSecond` requests in any second, whichever process sends them', async () => {
    const rate = 3;
    const settings = {
      baseUrl: api.origin,
      kinds: JSON.stringify([
        { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 1 }, requestsPerSecond: rate },
      ]),
    };
    const starts: number[] = [];
    const list = async (shared: RedisSemaphore) => {
      const connection = testConnection(settings, 't', {
        sharedConcurrency: shared,
        signal: AbortSignal.timeout(60_000),
        fetch: (url, init) => (starts.push(Date.now()), fetch(url, init)),
      });
      const items: JsonObject[] = [];
      for await (const page of genericHttp.kindsFor!(settings)['projects']!.extract(connection, {}))
        items.push(...('items' in page ? page.items : page));
      return items;
    };
    const [first, second] = await Promise.all([list(await semaphore()), list(await semaphore())]);
    expect(first).toEqual(fakeProjects(5));
    expect(second).toEqual(fakeProjects(5));

    // Six pages each (five full, one empty): 12 starts, and any rate + 1 of them span at least a second.
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(12);
    for (let i = rate; i < starts.length; i++) {
      // A little under a second: a start is stamped just after its slot is taken.
      expect(starts[i]! - starts[i - rate]!, `starts ${i - rate}..${i}`).toBeGreaterThanOrEqual(950);
    }
  });
});
