import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStack } from '../support/app-stack.js';
import { STACK_FRAME, fatalLine, until } from '../support/boot-wait.js';
import { OwnPostgresStack } from '../support/own-postgres-stack.js';
import type { OwnPostgres } from '../support/own-servers.js';

// A built worker started while its PostgreSQL is down (a crash, a failover, a stack booting in any
// order) waits for it, then works; one that never sees it exits with one line saying so.

const TOOL_TOKEN = 'fake-tool-token-boot-wait-0123456789';

describe('a worker that boots while PostgreSQL is down', () => {
  let stack: OwnPostgresStack;
  let postgres: OwnPostgres;
  let apps: AppStack;

  beforeAll(async () => {
    // No worker yet: the first run waits in the queue for the one each test starts.
    stack = await OwnPostgresStack.start({
      tool: { token: TOOL_TOKEN, pageSize: 50, counts: { team: 2, service: 5, deployment: 120 } },
      workers: 0,
      env: { DISPATCH_POLL_MS: '100', RUN_RETRY_BASE_SECONDS: '1' },
    });
    ({ postgres, apps } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('waits for PostgreSQL to come back, then runs the queued sync', async () => {
    const installationId = await stack.installFakeTool(TOOL_TOKEN);
    const [queued] = await postgres.query<{ id: string; status: string }>(
      'SELECT id, status FROM sync_runs WHERE installation_id = $1',
      [installationId],
    );
    expect(queued?.status).toBe('pending');

    await postgres.crash();
    const worker = apps.startWorker();
    apps.workers.push(worker);
    await until('the worker waiting for PostgreSQL', () => worker.output.includes('PostgreSQL is not reachable yet'), worker);
    // Down for a few retries: the worker must still be waiting, not gone.
    await sleep(3_000);
    expect(worker.child.exitCode, worker.output.slice(-2000)).toBeNull();

    await postgres.restart();
    await until('the worker starting', () => worker.output.includes('"msg":"worker started"'), worker);
    await until(
      'the queued run ending',
      async () => {
        const [row] = await postgres.query<{ status: string }>('SELECT status FROM sync_runs WHERE id = $1', [queued!.id]);
        return !['pending', 'running'].includes(row!.status);
      },
      worker,
    );
    const [run] = await postgres.query<{ status: string; loaded: number }>(
      `SELECT status, (SELECT count(*)::int FROM entities WHERE blueprint = 'fakeDeployment') AS loaded
         FROM sync_runs WHERE id = $1`,
      [queued!.id],
    );
    expect(run).toEqual({ status: 'completed', loaded: 120 });
    expect(worker.child.exitCode).toBeNull();
  }, 180_000);

  it('exits with one clear line, and no stack, when PostgreSQL never comes back', async () => {
    await postgres.crash();
    try {
      const worker = apps.startWorker({ DATABASE_BOOT_WAIT_SECONDS: '3' });
      expect(await worker.exitCode(90_000)).toBe(1);
      const fatal = fatalLine(worker);
      expect(fatal).toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        msg: expect.stringMatching(/^PostgreSQL was not reachable within 3 s \(ECONNREFUSED\)/),
      });
      expect(fatal).not.toHaveProperty('err');
      expect(worker.output).not.toMatch(STACK_FRAME);
      const password = new URL(postgres.appUrl).password;
      expect(password.length).toBeGreaterThan(0);
      expect(worker.output).not.toContain(password);
    } finally {
      await postgres.restart();
    }
  }, 120_000);
});
