import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGithub } from '@mooring/integrations/testing';
import { adminQuery } from '../support/admin-query.js';
import { AppStack } from '../support/app-stack.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// Live events through the built apps as real processes: the api's edge, two workers applying, the
// fake GitHub delivering to the organization webhook a worker registered. A burst of 1,000
// deliveries is applied exactly once each and in order, even though a worker is killed mid-burst.
describe('live events across processes', () => {
  const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
  const org = 'octo-org';
  const REPOSITORIES = 10;
  let fake: FakeGithub;
  let db: TestDatabase;
  let redis: TestRedis;
  let apps: AppStack;
  let installationId: string;

  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`${what}: timed out\n${apps.workers.map((w) => w.output.slice(-2000)).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const statuses = () =>
    adminQuery<{ status: string; n: number }>(
      db,
      'SELECT status, count(*)::int AS n FROM live_events WHERE installation_id = $1 AND accepted GROUP BY status',
      [installationId],
    );

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: REPOSITORIES, members: 4, teams: 1 } });
    fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org, admin:org_hook', organizations: [org] });
    db = await createTestDatabase();
    redis = createTestRedis();
    apps = await AppStack.start({
      databaseUrl: db.appUrl,
      redisUrl: redis.url,
      keyPrefix: redis.keyPrefix,
      workers: 2,
      env: { DISPATCH_POLL_MS: '100', LIVE_EVENTS_LOCK_SECONDS: '5', LOG_LEVEL: 'warn' },
    });
  }, 120_000);

  afterAll(async () => {
    await apps?.close();
    await fake?.close();
    await redis?.clear();
    await db?.drop();
  });

  it('registers the webhook from a worker and syncs', async () => {
    const installed = await apps.call('POST', '/v1/installations', {
      integrationId: 'github',
      name: 'GitHub',
      settings: { token, host: fake.host, organization: org },
      schedule: { every: '7d' },
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    installationId = installed.body.installation.id as string;
    const hook = await until('the webhook registered', async () => {
      const live = await apps.call('GET', `/v1/installations/${installationId}/live-events`);
      return live.body.hook.status === 'on' ? live.body.hook : undefined;
    });
    expect(fake.webhooks).toEqual([expect.objectContaining({ organization: org, url: hook.hookUrl })]);
    await until('the first sync', async () => {
      const [run] = await adminQuery<{ status: string }>(db, 'SELECT status FROM sync_runs WHERE installation_id = $1', [
        installationId,
      ]);
      return run && !['pending', 'running'].includes(run.status) ? run : undefined;
    });
  }, 180_000);

  it('applies a burst of 1,000 deliveries exactly once each, in order, while a worker is killed mid-burst', async () => {
    const pulls = await Promise.all(
      Array.from({ length: REPOSITORIES }, (_, i) => fake.read(token, `/repos/${org}/repo-${i}/pulls/1`)),
    );
    const repositories = await Promise.all(
      Array.from({ length: REPOSITORIES }, (_, i) => fake.read(token, `/repos/${org}/repo-${i}`)),
    );
    const start = Date.now() - 3_600_000;
    const expected = new Map<string, string>();
    for (let n = 0; n < 1_000; n++) {
      const i = n % REPOSITORIES;
      const title = `Edit ${n}`;
      const pullRequest = { ...pulls[i], title, updated_at: new Date(start + n * 1000).toISOString() };
      const [answer] = await fake.deliver(org, 'pull_request', {
        action: 'edited',
        number: 1,
        pull_request: pullRequest,
        repository: repositories[i],
      });
      expect(answer!.status).toBe(202);
      expected.set(`${org}/repo-${i}#1`, title);
      if (n === 300) await apps.workers[0]!.stop('SIGKILL');
    }

    const applied = await until('every delivery applied', async () => {
      const rows = await statuses();
      return rows.some((row) => row.status === 'pending') ? undefined : rows;
    });
    expect(applied).toEqual([{ status: 'applied', n: 1_000 }]);
    // Counted once each: the counts are added in the transaction that ends a delivery.
    const [received] = await adminQuery<{ n: number }>(
      db,
      `SELECT sum(received)::int AS n FROM live_event_counts WHERE installation_id = $1 AND kind = ''`,
      [installationId],
    );
    expect(received!.n).toBe(1_000);
    // In order: no delivery was applied after one accepted later than it.
    const disorder = await adminQuery<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM live_events a JOIN live_events b ON a.installation_id = b.installation_id AND a.id < b.id
        WHERE a.installation_id = $1 AND a.accepted AND b.accepted AND a.applied_at > b.applied_at`,
      [installationId],
    );
    expect(disorder[0]!.n).toBe(0);
    const titles = await adminQuery<{ identifier: string; title: string }>(
      db,
      `SELECT identifier, title FROM entities WHERE blueprint = 'githubPullRequest' AND identifier = ANY($1::text[])`,
      [[...expected.keys()]],
    );
    expect(new Map(titles.map((row) => [row.identifier, row.title]))).toEqual(expected);
  }, 240_000);
});
