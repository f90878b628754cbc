import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/lib/wait.mjs';
import { AppProcess, waitForHttp } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// The three apps as real processes, from their build output, the way `npm start` runs them.
describe('api, scheduler and worker processes', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    env = {
      DATABASE_URL: db.appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const process of processes) await process.stop('SIGKILL').catch(() => {});
    await db.drop();
    await redis.clear();
  });

  it('boots all three, serves health, authenticates, and drains on SIGTERM', async () => {
    const [apiPort, apiOps, schedulerOps, workerOps] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const api = AppProcess.start('apps/api/dist/main.js', { ...env, API_PORT: `${apiPort}`, API_OPS_PORT: `${apiOps}` });
    const scheduler = AppProcess.start('apps/scheduler/dist/main.js', { ...env, SCHEDULER_OPS_PORT: `${schedulerOps}` });
    const worker = AppProcess.start('apps/worker/dist/main.js', { ...env, WORKER_OPS_PORT: `${workerOps}` });
    processes.push(api, scheduler, worker);

    const health = await (await waitForHttp(`http://127.0.0.1:${apiPort}/health`)).json();
    expect(health).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
    for (const port of [apiOps, schedulerOps, workerOps]) {
      await waitForHttp(`http://127.0.0.1:${port}/health/live`);
      const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('target_info');
    }

    const cli = AppProcess.start('apps/api/dist/cli/org-create.js', { DATABASE_URL: db.appUrl }, ['--name', 'acme', '--json']);
    expect(await cli.exitCode()).toBe(0);
    const created = JSON.parse(cli.output.trim().split('\n').at(-1)!);
    expect(created).toMatchObject({ name: 'acme', role: 'admin', clientId: expect.stringMatching(/^mc_/) });

    // Through npm, as people run it: stdout holds the JSON alone (npm's banner is left out with -s).
    const viaNpm = await promisify(execFile)('npm', ['run', '-s', 'org:create', '--', '--name', 'globex', '--json'], {
      env: { ...globalThis.process.env, DATABASE_URL: db.appUrl },
    });
    expect(JSON.parse(viaNpm.stdout)).toMatchObject({ name: 'globex', role: 'admin', clientId: expect.stringMatching(/^mc_/) });

    const tokenResponse = await fetch(`http://127.0.0.1:${apiPort}/v1/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: created.clientId, clientSecret: created.clientSecret }),
    });
    expect(tokenResponse.status).toBe(200);
    const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
    const organization = await fetch(`http://127.0.0.1:${apiPort}/v1/organization`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(await organization.json()).toMatchObject({ organization: { id: created.orgId, name: 'acme' } });

    for (const process of [api, scheduler, worker]) {
      expect(await process.stop('SIGTERM'), process.output).toBe(0);
      expect(process.output).toContain('"msg":"stopped"');
      expect(process.output).not.toContain(created.clientSecret);
      expect(process.output).not.toContain(accessToken);
      expect(process.output).not.toContain(env['AUTH_TOKEN_SECRET']);
    }
  });

  it.each([
    ['an invalid port', { API_PORT: 'eighty' }, 'API_PORT'],
    ['a short token secret', { AUTH_TOKEN_SECRET: 'too-short' }, 'AUTH_TOKEN_SECRET'],
    ['a database URL that is not one', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  ])('exits non-zero naming the variable when given %s', async (_case, overrides, variable) => {
    const api = AppProcess.start('apps/api/dist/main.js', { ...env, ...overrides });
    processes.push(api);
    expect(await api.exitCode()).toBe(1);
    expect(api.output).toContain(variable);
    expect(api.output).not.toContain(env['AUTH_TOKEN_SECRET']);
  });

  it('exits non-zero naming a missing required variable', async () => {
    const { AUTH_TOKEN_SECRET: _omitted, ...withoutSecret } = env;
    const api = AppProcess.start('apps/api/dist/main.js', withoutSecret);
    processes.push(api);
    expect(await api.exitCode()).toBe(1);
    expect(api.output).toMatch(/AUTH_TOKEN_SECRET: is required/);
  });
});
