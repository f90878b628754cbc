import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { FakeToolServer } from '@mooring/integrations/testing';
import { freePort } from '../../tools/lib/wait.mjs';
import { AppProcess, waitForHttp } from './processes.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

export const TOOL_TOKEN = `fake-${randomBytes(12).toString('hex')}`;

export interface ConsoleStack {
  readonly baseUrl: string;
  readonly tool: FakeToolServer;
  readonly db: TestDatabase;
  readonly admin: { readonly email: string; readonly password: string; readonly orgId: string };
  /** A bearer token of the org's admin API client, for setup the test is not about. */
  readonly bearer: string;
  readonly processes: AppProcess[];
  stop(): Promise<void>;
}

/**
 * The whole product as `npm start` runs it, on random ports: api (serving the built console at `/`),
 * scheduler and worker from their build output over real PostgreSQL and Redis, with the fake tool
 * on loopback and a first admin person to sign in as.
 */
export async function startConsoleStack(options: { env?: Record<string, string> } = {}): Promise<ConsoleStack> {
  try {
    return await startConsoleStackOnce(options);
  } catch (error) {
    // The api's free port can be taken by another spec's process before the api listens: try a new one.
    if (error instanceof Error && error.message.includes('EADDRINUSE')) return startConsoleStackOnce(options);
    throw error;
  }
}

async function startConsoleStackOnce(options: { env?: Record<string, string> }): Promise<ConsoleStack> {
  const db = await createTestDatabase();
  const redis: TestRedis = createTestRedis();
  const tool = await FakeToolServer.start({ token: TOOL_TOKEN, pageSize: 100 });
  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    DATABASE_URL: db.appUrl,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
    UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
    INTEGRATIONS_FAKE_ENABLED: 'true',
    OAUTH_REDIRECT_URL: `${baseUrl}/v1/oauth/callback`,
    PUBLIC_API_URL: baseUrl,
    DISPATCH_POLL_MS: '100',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const processes = [
    AppProcess.start('apps/api/dist/main.js', { ...env, API_PORT: `${apiPort}`, API_OPS_PORT: '0' }),
    AppProcess.start('apps/scheduler/dist/main.js', { ...env, SCHEDULER_OPS_PORT: '0' }),
    AppProcess.start('apps/worker/dist/main.js', { ...env, WORKER_OPS_PORT: '0' }),
  ];
  const stop = async () => {
    for (const process of processes) await process.stop('SIGKILL').catch(() => {});
    await tool.close();
    await db.drop();
    await redis.clear();
  };
  try {
    await waitForHttp(`${baseUrl}/health`);
    const admin = { email: 'admin@acme.test', password: `pw-${randomBytes(9).toString('base64url')}` };
    const cli = AppProcess.start('apps/api/dist/cli/org-create.js', { DATABASE_URL: db.appUrl }, [
      '--name',
      'acme',
      '--json',
      '--admin-email',
      admin.email,
      '--admin-password',
      admin.password,
    ]);
    if ((await cli.exitCode()) !== 0) throw new Error(`org-create failed:\n${cli.output}`);
    const created = JSON.parse(cli.output.trim().split('\n').at(-1)!) as {
      orgId: string;
      clientId: string;
      clientSecret: string;
    };
    const exchanged = await fetch(`${baseUrl}/v1/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: created.clientId, clientSecret: created.clientSecret }),
    });
    const bearer = ((await exchanged.json()) as { accessToken: string }).accessToken;
    // The fake tool listens on plain http.
    const allowed = await fetch(`${baseUrl}/v1/organization`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ allowHttpHosts: true }),
    });
    if (!allowed.ok) throw new Error(`allowHttpHosts: ${allowed.status}`);
    return { baseUrl, tool, db, admin: { ...admin, orgId: created.orgId }, bearer, processes, stop };
  } catch (error) {
    const output = processes.map((process) => `--- ${process.name}\n${process.output.slice(-3000)}`).join('\n');
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output}`);
  }
}

/** Signs the stack's first admin in through the console's own form, landing on the data sources. */
export async function signInAsAdmin(page: Page, stack: ConsoleStack): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(stack.admin.email);
  await page.getByLabel('Password').fill(stack.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Data sources', exact: true }).waitFor();
}
