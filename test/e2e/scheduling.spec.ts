import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeToolServer } from '@mooring/integrations';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { AppProcess, waitForHttp } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// The production topology as real processes from their build output: one api, two schedulers and
// two workers over one PostgreSQL and one Redis, syncing the fake tool on loopback.

const TOOL_TOKEN = 'fake-tool-token-e2e-0123456789';

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  attempt: number;
  scheduled_for: Date | null;
  deleted: number;
  deletion_decision: string | null;
}

describe('api, two schedulers and two workers', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let tool: FakeToolServer;
  let api: AppProcess;
  let baseUrl: string;
  let token: string;
  let installationId: string;
  let orgId: string;
  const schedulers: AppProcess[] = [];
  const workers: AppProcess[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const runs = () =>
    adminQuery<RunRow>(
      db,
      `SELECT id, status, trigger, attempt, scheduled_for, deleted, deletion_decision
         FROM sync_runs WHERE installation_id = $1 ORDER BY created_at, id`,
      [installationId],
    );
  const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\n${[...workers, ...schedulers].map((p) => p.output.slice(-3000)).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const ended = (runId: string) =>
    until(`run ${runId} to end`, async () =>
      (await runs()).find((run) => run.id === runId && !['pending', 'running'].includes(run.status)),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    tool = await FakeToolServer.start({ token: TOOL_TOKEN, pageSize: 100 });
    const env = {
      DATABASE_URL: db.appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      INTEGRATIONS_FAKE_ENABLED: 'true',
      SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      DISPATCH_POLL_MS: '100',
      // Short enough to recover a killed worker's run quickly, long enough that a busy CI machine
      // does not miss a lock renewal (which would let a second attempt start beside the first).
      RUN_LOCK_SECONDS: '4',
      RUN_RETRY_BASE_SECONDS: '1',
      LOG_LEVEL: 'info',
    };
    const apiPort = await freePort();
    api = AppProcess.start('apps/api/dist/main.js', { ...env, API_PORT: `${apiPort}`, API_OPS_PORT: '0' });
    for (let i = 0; i < 2; i++) {
      schedulers.push(AppProcess.start('apps/scheduler/dist/main.js', { ...env, SCHEDULER_OPS_PORT: '0' }));
      workers.push(AppProcess.start('apps/worker/dist/main.js', { ...env, WORKER_OPS_PORT: '0' }));
    }
    baseUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${baseUrl}/health`);

    const cli = AppProcess.start('apps/api/dist/cli/org-create.js', { DATABASE_URL: db.appUrl }, ['--name', 'acme', '--json']);
    expect(await cli.exitCode()).toBe(0);
    const created = JSON.parse(cli.output.trim().split('\n').at(-1)!) as {
      orgId: string;
      clientId: string;
      clientSecret: string;
    };
    orgId = created.orgId;
    const exchanged = await fetch(`${baseUrl}/v1/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: created.clientId, clientSecret: created.clientSecret }),
    });
    token = ((await exchanged.json()) as { accessToken: string }).accessToken;
    expect((await call('PATCH', '/v1/organization', { allowHttpHosts: true })).status).toBe(200);
    for (const process of [...schedulers, ...workers]) {
      await until(`${process.name} to start`, () =>
        Promise.resolve(/"msg":"(scheduler|worker) started"/.test(process.output) ? true : undefined),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const process of [api, ...schedulers, ...workers]) await process.stop('SIGKILL').catch(() => {});
    await tool.close();
    await db.drop();
    await redis.clear();
  });

  it('runs an installation once per due time of its schedule, with exact counts', async () => {
    const installed = await call('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'fake tool',
      settings: { baseUrl: tool.baseUrl, token: TOOL_TOKEN },
      schedule: { every: '2s' },
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    installationId = installed.body.installation.id;

    const scheduled = await until('four scheduled due times', async () => {
      const all = (await runs()).filter((run) => run.trigger === 'schedule' && !['pending', 'running'].includes(run.status));
      return all.length >= 4 ? all : undefined;
    });
    // Slow the schedule down so nothing more is due while the counts are read.
    expect((await call('PATCH', `/v1/installations/${installationId}`, { schedule: { every: '7d' } })).status).toBe(200);

    const dueTimes = scheduled.map((run) => run.scheduled_for!.getTime()).sort((a, b) => a - b);
    expect(new Set(dueTimes).size).toBe(dueTimes.length);
    // Every due time between the first and the last has exactly one run (or recorded skip).
    expect(dueTimes.map((time) => time - dueTimes[0]!)).toEqual(dueTimes.map((_, index) => index * 2000));

    const completed = scheduled.filter((run) => run.status === 'completed');
    expect(completed.length).toBeGreaterThan(0);
    const resources = await adminQuery<{ run_id: string; kind: string; fetched: number; ingested: number; not_changed: number }>(
      db,
      'SELECT run_id, kind, fetched, ingested, not_changed FROM sync_run_resources WHERE run_id = ANY($1::uuid[]) ORDER BY resource_index',
      [completed.map((run) => run.id)],
    );
    for (const run of completed) {
      const counts = resources
        .filter((row) => row.run_id === run.id)
        .map(({ kind, fetched, ingested, not_changed }) => [kind, fetched, ingested, not_changed]);
      // The install's first run wrote everything; scheduled runs find it unchanged.
      expect(counts).toEqual([
        ['team', 3, 0, 3],
        ['service', 10, 0, 10],
        ['deployment', 30, 0, 30],
      ]);
    }
    const installedRun = (await runs()).find((run) => run.trigger === 'installed')!;
    expect(installedRun.status).toBe('completed');

    // The status API reports the same exact counts, per resource and phase.
    const status = await call('GET', `/v1/installations/${installationId}/sync-status?runId=${completed[0]!.id}`);
    expect(status.status).toBe(200);
    expect(status.body.run).toMatchObject({ status: 'completed', trigger: 'schedule', scheduledFor: expect.any(String) });
    expect(
      status.body.run.resources.map(
        (r: { kind: string; extract: { fetched: number }; load: { ingested: number; notChanged: number } }) => [
          r.kind,
          r.extract.fetched,
          r.load.ingested,
          r.load.notChanged,
        ],
      ),
    ).toEqual([
      ['team', 3, 0, 3],
      ['service', 10, 0, 10],
      ['deployment', 30, 0, 30],
    ]);
    const skipped = scheduled.find((run) => run.status === 'skipped');
    if (skipped) {
      const skip = await call('GET', `/v1/installations/${installationId}/sync-status?runId=${skipped.id}`);
      expect(skip.body.tips.map((tip: { code: string }) => tip.code)).toContain('RUN_SKIPPED');
    }
  });

  it('recovers a run whose worker was killed, deleting only what the complete pass did not see and writing nothing twice', async () => {
    await until('no active run', async () =>
      (await runs()).some((run) => ['pending', 'running'].includes(run.status)) ? undefined : true,
    );
    tool.setCounts({ deployment: 3000 });
    tool.remove('deployment', [3, 25]);
    tool.setLatency(150); // 30 pages of deployments, loaded in batches of 1,000: killed between batches
    const requested = await call('POST', `/v1/installations/${installationId}/resync`);
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    const runId = requested.body.run.id as string;

    const victim = await until('a worker to start the run', () =>
      Promise.resolve(
        workers.find((worker) => worker.output.includes(`"runId":"${runId}","attempt":1,"msg":"sync run started"`)),
      ),
    );
    await until('some new deployments to load', async () => {
      const [row] = await adminQuery<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM entities WHERE installation_id = $1 AND blueprint = 'fakeDeployment'`,
        [installationId],
      );
      return Number(row!.n) > 1030 ? true : undefined;
    });
    victim.child.kill('SIGKILL');
    await victim.exitCode();
    const [atKill] = await adminQuery<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM entities WHERE installation_id = $1 AND blueprint = 'fakeDeployment'`,
      [installationId],
    );
    expect(Number(atKill!.n)).toBeLessThan(3000); // the kill landed mid-listing
    tool.setLatency(0);

    const finished = await ended(runId);
    expect(finished).toMatchObject({ status: 'completed', attempt: 2, deleted: 2, deletion_decision: 'deleted' });
    const survivor = workers.find((worker) => worker !== victim)!;
    expect(survivor.output).toContain(`"runId":"${runId}","attempt":2,"msg":"sync run started"`);

    // What the survivor and the schedulers export on their ops ports (Prometheus, via OpenTelemetry).
    const metrics = async (process: AppProcess) => {
      const port = /"opsPort":(\d+)/.exec(process.output)![1];
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    };
    const workerMetrics = await metrics(survivor);
    expect(workerMetrics).toMatch(
      /mooring_sync_object_count_total\{[^}]*kind="deployment"[^}]*object_count_type="raw_extracted"[^}]*\} \d+/,
    );
    expect(workerMetrics).toContain('mooring_sync_run_duration_seconds_bucket');
    expect(workerMetrics).toContain('mooring_sync_run_wait_seconds_bucket');
    expect(workerMetrics).toMatch(/mooring_sync_queue_depth\{[^}]*state="running"/);
    expect(workerMetrics).not.toContain(installationId); // bounded labels: no ids
    const schedulerMetrics = (await Promise.all(schedulers.map(metrics))).join('\n');
    expect(schedulerMetrics).toMatch(/mooring_schedule_ticks_total\{[^}]*outcome="created"/);

    const [entities] = await adminQuery<{ deployments: string; rewritten: string }>(
      db,
      `SELECT count(*) FILTER (WHERE blueprint = 'fakeDeployment') AS deployments,
              count(*) FILTER (WHERE updated_at <> created_at) AS rewritten
         FROM entities WHERE installation_id = $1`,
      [installationId],
    );
    expect(entities).toEqual({ deployments: '2998', rewritten: '0' });
    const [deployments] = await adminQuery<{ fetched: number; ingested: number; not_changed: number }>(
      db,
      `SELECT fetched, ingested, not_changed FROM sync_run_resources WHERE run_id = $1 AND kind = 'deployment'`,
      [runId],
    );
    // The resumed attempt fetched the whole listing again; what the killed one wrote was unchanged.
    expect(deployments!.fetched).toBe(2998);
    expect(deployments!.ingested + deployments!.not_changed).toBe(2998);
    // Everything stored at the kill (less the 2 the tool removed) was found unchanged, not written again.
    expect(deployments!.ingested).toBe(2998 - (Number(atKill!.n) - 2));
  });

  it('lets the operator change an organization’s run cap, refusing bad arguments by name', async () => {
    const limits = AppProcess.start('apps/api/dist/cli/org-limits.js', { DATABASE_URL: db.appUrl }, [
      '--org',
      orgId,
      '--max-concurrent-runs',
      '3',
    ]);
    expect(await limits.exitCode(), limits.output).toBe(0);
    expect(JSON.parse(limits.output.trim())).toEqual({ orgId, maxConcurrentRuns: 3 });
    expect((await call('GET', '/v1/organization')).body.organization.maxConcurrentRuns).toBe(3);

    const bad = AppProcess.start('apps/api/dist/cli/org-limits.js', { DATABASE_URL: db.appUrl }, [
      '--org',
      orgId,
      '--max-concurrent-runs',
      'lots',
    ]);
    expect(await bad.exitCode()).toBe(1);
    expect(bad.output).toContain('max-concurrent-runs');
  });
});
