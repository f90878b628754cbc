import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api as contract } from '@mooring/contract';
import { FakeToolServer } from '@mooring/integrations/testing';
import { freePort } from '../../tools/lib/wait.mjs';
import { AppProcess, waitForHttp } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// The demo configuration `npm start` runs, as real processes from their build output: the fake
// tool offered (INTEGRATIONS_FAKE_ENABLED) and reachable on its one loopback origin
// (DEMO_TOOL_ORIGIN) without UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS and without the org allowing
// http; the demo person created by the CLI signs in and watches the first sync in the console's API.

const TOOL_TOKEN = 'demo-tool-token-e2e-0123456789';

describe('the demo configuration: a person signs in and watches the demo tool sync', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let tool: FakeToolServer;
  let elsewhere: FakeToolServer;
  let processes: AppProcess[] = [];
  let baseUrl: string;
  let demo: { orgId: string; clientId: string; clientSecret: string; adminEmail: string; adminPassword: string };
  let env: Record<string, string>;
  const cookies = new Map<string, string>();

  /** The console: the person's cookies, and the CSRF cookie echoed on writes. */
  const browser = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
    if (method !== 'GET') headers['x-csrf-token'] = cookies.get('mooring_csrf') ?? '';
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!, value.join('='));
    }
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    tool = await FakeToolServer.start({ token: TOOL_TOKEN, counts: { team: 4, service: 25, deployment: 60 }, pageSize: 10 });
    elsewhere = await FakeToolServer.start({ token: TOOL_TOKEN });
    env = {
      DATABASE_URL: db.appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
      INTEGRATIONS_FAKE_ENABLED: 'true',
      DEMO_TOOL_ORIGIN: tool.baseUrl,
      DISPATCH_POLL_MS: '100',
      LOG_LEVEL: 'info',
    };
    const cli = AppProcess.start('apps/api/dist/cli/org-create.js', { DATABASE_URL: db.appUrl }, [
      '--name',
      'demo',
      '--admin-email',
      'demo@mooring.local',
      '--json',
    ]);
    expect(await cli.exitCode()).toBe(0);
    demo = JSON.parse(cli.output.trim().split('\n').at(-1)!);
    expect(demo.adminPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const apiPort = await freePort();
    baseUrl = `http://127.0.0.1:${apiPort}`;
    processes = [
      AppProcess.start('apps/api/dist/main.js', { ...env, API_PORT: `${apiPort}`, API_OPS_PORT: '0' }),
      AppProcess.start('apps/scheduler/dist/main.js', { ...env, SCHEDULER_OPS_PORT: '0' }),
      AppProcess.start('apps/worker/dist/main.js', { ...env, WORKER_OPS_PORT: '0' }),
    ];
    await waitForHttp(`${baseUrl}/health`);
  }, 60_000);

  afterAll(async () => {
    for (const process of processes) await process.stop('SIGKILL').catch(() => {});
    await tool.close();
    await elsewhere.close();
    await db.drop();
    await redis.clear();
  });

  it('signs the demo person in, installs the demo tool and shows its first sync with exact counts', async () => {
    const signIn = await browser('POST', '/v1/auth/sign-in', { email: demo.adminEmail, password: demo.adminPassword });
    expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    const integrations = await browser('GET', '/v1/integrations');
    expect(integrations.body.integrations.map((integration: any) => integration.id)).toContain('fake');

    // Only the demo tool's origin is reachable: another loopback port is refused as ever.
    const refused = await browser('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'Elsewhere',
      settings: { baseUrl: elsewhere.baseUrl, token: TOOL_TOKEN },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'HOST_NOT_ALLOWED', details: { field: 'settings.baseUrl' } });
    const badToken = await browser('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'Demo tool',
      settings: { baseUrl: tool.baseUrl, token: 'not-the-token' },
    });
    expect(badToken.status).toBe(422);
    expect(badToken.body.error).toMatchObject({ code: 'CREDENTIALS_INVALID', details: { field: 'settings.token' } });

    const installed = await browser('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'Demo tool',
      settings: { baseUrl: tool.baseUrl, token: TOOL_TOKEN },
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    const id = installed.body.installation.id;

    // The console polls the status with the ETag of its last answer until the run ends.
    let etag: string | null = null;
    const deadline = Date.now() + 45_000;
    let status: any;
    for (;;) {
      const response = await fetch(`${baseUrl}/v1/installations/${id}/sync-status`, {
        headers: { cookie: `mooring_session=${cookies.get('mooring_session')}`, ...(etag ? { 'if-none-match': etag } : {}) },
      });
      if (response.status !== 304) {
        expect(response.status).toBe(200);
        etag = response.headers.get('etag');
        status = contract.installations.syncStatus.response.parse(await response.json());
      }
      if (status?.run?.status === 'completed' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status.run.status, processes.map((process) => process.output.slice(-2000)).join('\n')).toBe('completed');
    expect(
      status.run.resources.map((resource: any) => [resource.kind, resource.extract.fetched, resource.load.ingested]),
    ).toEqual([
      ['team', 4, 4],
      ['service', 25, expect.any(Number)],
      ['deployment', 60, 60],
    ]);

    // The raw samples of the run feed the mapping "test" tab.
    const samples = await browser('GET', `/v1/installations/${id}/samples`);
    expect(Object.keys(samples.body.samples).sort()).toEqual(['deployment', 'service', 'team']);
    expect(samples.body.samples.team.items).toHaveLength(4);
    const tested = await browser('POST', '/v1/mappings/test', {
      mapping: installed.body.installation.mapping,
      samples: Object.fromEntries(
        Object.entries(samples.body.samples).map(([kind, sample]: [string, any]) => [kind, sample.items]),
      ),
      integration: 'fake',
    });
    expect(tested.status).toBe(200);
    expect(tested.body.resources[0].results[0]).toMatchObject({ outcome: 'entity', entity: { blueprint: 'fakeTeam' } });
  }, 90_000);

  it('refuses a demo tool origin that is not loopback at boot, and offers no fake tool without the switch', async () => {
    const bad = AppProcess.start('apps/api/dist/main.js', {
      ...env,
      DEMO_TOOL_ORIGIN: 'http://10.0.0.8:80',
      API_PORT: '0',
      API_OPS_PORT: '0',
    });
    expect(await bad.exitCode()).toBe(1);
    expect(bad.output).toContain('DEMO_TOOL_ORIGIN');

    const port = await freePort();
    const plain = AppProcess.start('apps/api/dist/main.js', {
      ...env,
      INTEGRATIONS_FAKE_ENABLED: 'false',
      API_PORT: `${port}`,
      API_OPS_PORT: '0',
    });
    processes.push(plain);
    await waitForHttp(`http://127.0.0.1:${port}/health`);
    const exchanged = await fetch(`http://127.0.0.1:${port}/v1/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: demo.clientId, clientSecret: demo.clientSecret }),
    });
    const { accessToken } = (await exchanged.json()) as { accessToken: string };
    const listed = await fetch(`http://127.0.0.1:${port}/v1/integrations`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const offered = ((await listed.json()) as any).integrations.map((integration: any) => integration.id);
    expect(offered).toContain('github');
    expect(offered).not.toContain('fake');
  }, 60_000);
});
