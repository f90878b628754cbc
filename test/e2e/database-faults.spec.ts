import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeToolServer } from '@mooring/integrations/testing';
import type { AppStack } from '../support/app-stack.js';
import { OwnPostgresStack } from '../support/own-postgres-stack.js';
import type { OwnPostgres } from '../support/own-servers.js';

// The built api, scheduler and worker as processes over a PostgreSQL of this test alone, whose
// connections the test terminates (pg_terminate_backend) while the worker deletes.

const TOOL_TOKEN = 'fake-tool-token-db-faults-0123456789';

describe('a worker whose database connections are terminated while it deletes', () => {
  let stack: OwnPostgresStack;
  let postgres: OwnPostgres;
  let tool: FakeToolServer;
  let apps: AppStack;

  const run = async (runId: string) =>
    (
      await postgres.query<{ status: string; attempt: number; deleted: number; deletion_decision: string | null }>(
        'SELECT status, attempt, deleted, deletion_decision FROM sync_runs WHERE id = $1',
        [runId],
      )
    )[0]!;
  const ended = async (runId: string) => {
    // A run of 12,000 items with retries: generous, as the machine may be loaded.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const row = await run(runId);
      if (!['pending', 'running'].includes(row.status)) return row;
      if (Date.now() > deadline) throw new Error(`run ${runId} did not end:\n${apps.workers[0]!.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const deployments = async () =>
    Number((await postgres.query<{ n: string }>(`SELECT count(*) AS n FROM entities WHERE blueprint = 'fakeDeployment'`))[0]!.n);

  beforeAll(async () => {
    stack = await OwnPostgresStack.start({
      tool: { token: TOOL_TOKEN, pageSize: 500, counts: { team: 1, service: 1, deployment: 12_000 } },
      workers: 1,
      env: { DISPATCH_POLL_MS: '100', RUN_LOCK_SECONDS: '4', RUN_RETRY_BASE_SECONDS: '1' },
    });
    ({ postgres, tool, apps } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('fails only the query whose connection dropped: the process lives, the run recovers and counts every deletion once', async () => {
    const installationId = await stack.installFakeTool(TOOL_TOKEN);
    const [first] = await postgres.query<{ id: string }>('SELECT id FROM sync_runs WHERE installation_id = $1', [installationId]);
    expect(await ended(first!.id)).toMatchObject({ status: 'completed' });
    expect(await deployments()).toBe(12_000);

    tool.remove(
      'deployment',
      Array.from({ length: 5_000 }, (_, i) => i),
    );
    const requested = await apps.call('POST', `/v1/installations/${installationId}/resync`);
    expect(requested.status).toBe(202);
    const runId = requested.body.run.id as string;

    // Each time the worker has deleted more (a chunk committed, the next one under way), every app
    // connection is terminated: twice, as the run has 4 attempts.
    const watcher = new pg.Client({ connectionString: postgres.adminUrl });
    await watcher.connect();
    let terminations = 0;
    try {
      const deadline = Date.now() + 60_000;
      for (let deletedBefore = 0; terminations < 2 && Date.now() < deadline;) {
        const { rows } = await watcher.query<{ status: string; deleted: number }>(
          'SELECT status, deleted FROM sync_runs WHERE id = $1',
          [runId],
        );
        const { status, deleted } = rows[0]!;
        if (!['pending', 'running'].includes(status) || deleted >= 5_000) break;
        if (deleted > deletedBefore) {
          await watcher.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'mooring_app'`);
          terminations++;
          deletedBefore = deleted;
        }
      }
    } finally {
      await watcher.end();
    }
    expect(terminations).toBeGreaterThan(0);

    expect(apps.workers[0]!.child.exitCode, apps.workers[0]!.output.slice(-2000)).toBeNull();
    const finished = await ended(runId);
    expect(apps.workers[0]!.child.exitCode).toBeNull();
    expect(finished).toMatchObject({ status: 'completed', deletion_decision: 'deleted' });
    expect(finished.attempt).toBeGreaterThan(1);
    expect(await deployments()).toBe(7_000);
    expect(finished.deleted).toBe(5_000);
  }, 300_000); // two whole syncs, one with retried deletions: took 112 s of a loaded 2-core machine
});
