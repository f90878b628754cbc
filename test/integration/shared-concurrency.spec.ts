import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedConcurrency } from '@mooring/integrations';
import { CredentialBudget, FakeGithub, githubClient, testConnection } from '@mooring/integrations/testing';
import { ProcessSemaphores } from '../support/process-semaphores.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// GitHub allows a token 10 requests in flight. Each worker process limits itself; with the Redis
// semaphore the cap holds across processes too. Two "processes" here: two GitHub clients with their
// own credential budgets and their own Redis connections, one token, against the fake GitHub with latency.
describe('a per-token request cap shared across worker processes', () => {
  const token = 'ghp_sharedCapToken0123456789';
  let fake: FakeGithub;
  let redis: TestRedis;
  let semaphores: ProcessSemaphores;
  const semaphore = () => semaphores.next();

  function processClient(shared?: SharedConcurrency) {
    const connection = testConnection({ host: fake.host, organization: 'octo-org' }, token, {
      signal: AbortSignal.timeout(30_000),
      ...(shared ? { sharedConcurrency: shared } : {}),
    });
    return githubClient(connection, new CredentialBudget({ maxInFlight: 10 }));
  }

  async function burst(clients: Array<ReturnType<typeof processClient>>, perClient: number): Promise<void> {
    await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: perClient }, (_, i) => client.get(client.url('/orgs/octo-org/repos', { per_page: 1, page: i + 1 }))),
      ),
    );
  }

  beforeAll(async () => {
    redis = createTestRedis();
    semaphores = new ProcessSemaphores(redis);
    fake = await FakeGithub.start({ shape: { repositories: 40 }, latencyMs: 40 });
    fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: ['octo-org'] });
  });
  afterAll(async () => {
    await semaphores?.close();
    await fake?.close();
    await redis.clear();
  });

  it('lets each process alone send 10 at once, so two send up to 20', async () => {
    fake.stats.maxInFlight = 0;
    await burst([processClient(), processClient()], 20);
    expect(fake.stats.maxInFlight).toBeGreaterThan(10);
  });

  it('keeps two processes to 10 requests in flight together when they share the Redis semaphore', async () => {
    fake.stats.maxInFlight = 0;
    const before = fake.stats.requests;
    await burst([processClient(await semaphore()), processClient(await semaphore())], 20);
    expect(fake.stats.requests - before).toBe(40);
    expect(fake.stats.maxInFlight).toBeLessThanOrEqual(10);
    expect(fake.stats.maxInFlight).toBeGreaterThan(5);
  });

  it('gives up waiting for a slot when the run is aborted', async () => {
    const shared = await semaphore();
    const held = await Promise.all(Array.from({ length: 2 }, () => shared.acquire('cap-test', 2, AbortSignal.timeout(5_000))));
    await expect(shared.acquire('cap-test', 2, AbortSignal.timeout(150))).rejects.toMatchObject({ name: 'TimeoutError' });
    await held[0]!();
    const again = await shared.acquire('cap-test', 2, AbortSignal.timeout(5_000));
    await again();
    await held[1]!();
  });
});
