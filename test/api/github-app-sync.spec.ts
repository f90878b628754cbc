import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry, pageItems } from '@mooring/integrations';
import { FakeGithub } from '@mooring/integrations/testing';
import { InstallationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { installationsContext } from '../support/installations-context.js';
import { resyncInProcess } from '../support/resync-in-process.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// A GitHub App installation end to end: installed through the API with the App's id, private key
// and installation id (the fake GitHub verifies each JWT with the App's public key), synced by the
// engine through the production connection, its installation token minted once and cached sealed.
// A second, independent credential stack (its own Nest context, pool, vault and in-process state,
// as another worker process has) asks for the same installation's token at the same time: GitHub
// still mints one token per expiry.
describe('GitHub App installation, end to end', () => {
  const APP_ID = 424242;
  const org = 'octo-org';
  const masterKey = randomBytes(32).toString('base64');
  // Made at test time: no private key is committed.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyBody = pem.split('\n')[1]!;
  let fake: FakeGithub;
  let api: TestApi;
  let otherWorker: INestApplicationContext;

  const newOrganization = async (name: string): Promise<TestOrganization> => {
    const organization = await api.createOrganization(name);
    const patched = await api.request('PATCH', '/v1/organization', { token: organization.token, body: { allowHttpHosts: true } });
    expect(patched.status).toBe(200);
    return organization;
  };
  const install = async (organization: TestOrganization, installationId: number, settings: Record<string, string> = {}) =>
    api.request('POST', '/v1/installations', {
      token: organization.token,
      body: {
        integrationId: 'github',
        name: 'GitHub App',
        settings: {
          host: fake.host,
          appId: String(APP_ID),
          installationId: String(installationId),
          privateKey: pem,
          ...settings,
        },
      },
    });
  const sync = (organization: TestOrganization, installationId: string) => resyncInProcess(api, organization, installationId);
  /** The installation's token as each stack's connection gives it, `times` times each, all at once. */
  const tokensFromBothStacks = async (organization: TestOrganization, installationId: string, times: number) => {
    const stacks = [api.app.get(IntegrationConnections), otherWorker.get(IntegrationConnections)];
    return Promise.all(
      stacks.flatMap((connections) =>
        Array.from({ length: times }, async () =>
          (await connections.forInstallation(organization.orgId, installationId)).accessToken(),
        ),
      ),
    );
  };
  const repositories = async (organization: TestOrganization) =>
    (
      await adminQuery<{ n: number }>(
        api.db,
        "SELECT count(*)::int AS n FROM entities WHERE org_id = $1 AND blueprint = 'githubRepository'",
        [organization.orgId],
      )
    )[0]!.n;
  const state = async (organization: TestOrganization, installationId: string) =>
    (await api.request('GET', `/v1/installations/${installationId}`, { token: organization.token })).body.installation;

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 30, members: 5, teams: 2 }, latencyMs: 2 });
    fake.apps.addApp(APP_ID, publicKey);
    for (const id of [5001, 5002, 5003, 5005, 5006, 5007]) fake.apps.install(id, APP_ID, org);
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true', VAULT_LOCAL_MASTER_KEY: masterKey });
    otherWorker = await installationsContext({
      db: api.db,
      redis: api.redis,
      vault: { keyProvider: 'local', localMasterKey: masterKey },
      allowLoopback: true,
    });
  });

  afterAll(async () => {
    await otherWorker?.close();
    await api?.close();
    await fake?.close();
  });

  it('refuses a bad private key or a non-numeric id with a 400 naming the field, echoing no key', async () => {
    const organization = await newOrganization('forms');
    const badKey = await install(organization, 5001, {
      privateKey: `-----BEGIN PRIVATE KEY-----\n${keyBody}\n-----END PRIVATE KEY-----`,
    });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'settings.privateKey' }] },
    });
    const badId = await install(organization, 5001, { installationId: 'abc' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details.fields).toEqual([{ field: 'settings.installationId', message: expect.any(String) }]);
    const both = await install(organization, 5001, { token: 'ghp_0123456789abcdefghij' });
    expect(both.body.error.details.fields).toEqual([{ field: 'settings.token', message: expect.any(String) }]);
    // A key GitHub does not know for this App: GitHub's 401, a coded 422 beside the key field.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
    const refused = await install(organization, 5001, { privateKey: stranger.toString() });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'CREDENTIALS_INVALID',
      details: { field: 'settings.privateKey', status: 401 },
    });
    expect(fake.apps.tokensMinted).toBe(0);
  });

  it('installs, syncs every kind through /installation/repositories, and mints exactly one token', async () => {
    const organization = await newOrganization('alpha');
    const created = await install(organization, 5001);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const installationId = created.body.installation.id as string;
    expect(created.body.installation.settings).toEqual({ host: fake.host, appId: String(APP_ID), installationId: '5001' });
    expect(created.body.installation.secrets.privateKey).toMatchObject({ set: true });

    const run = await sync(organization, installationId);
    expect(run.status, JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error]))).toBe('completed');
    const fetched = Object.fromEntries(run.resources.map((r) => [r.kind, r.fetched]));
    expect(fetched).toMatchObject({ organization: 1, repository: 30, user: 5, team: 2, 'pull-request': 30 });
    expect(await repositories(organization)).toBe(30);
    const paths = fake.requests.map((r) => r.url);
    expect(paths).toContain('/api/v3/installation/repositories?per_page=100');
    expect(paths.some((p) => p.startsWith('/api/v3/user'))).toBe(false);

    // Both stacks read the cached token: nothing more is minted.
    const tokens = await tokensFromBothStacks(organization, installationId, 5);
    expect(new Set(tokens).size).toBe(1);
    expect(fake.apps.tokensMinted).toBe(1);

    const everything = [...api.logs, ...api.responses].join('\n');
    expect(everything).not.toContain(keyBody);
    expect(everything).not.toContain(tokens[0]!);
  }, 120_000);

  it('re-mints an expired token once, however many workers ask at once', async () => {
    const organization = await newOrganization('beta');
    fake.apps.tokenLifetimeSeconds = 4;
    const created = await install(organization, 5002);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const installationId = created.body.installation.id as string;
    const minted = fake.apps.tokensMinted;
    // Let the install's token expire (GitHub then answers 401 to it), and mint hour-long ones again.
    await sleep(4_500);
    fake.apps.tokenLifetimeSeconds = 3600;

    const [run, tokens] = await Promise.all([
      sync(organization, installationId),
      tokensFromBothStacks(organization, installationId, 10),
    ]);
    expect(run.status, JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error]))).toBe('completed');
    expect(new Set(tokens).size).toBe(1);
    expect(fake.apps.tokensMinted).toBe(minted + 1);
    expect(await repositories(organization)).toBe(30);
  }, 120_000);

  it('ends the run CREDENTIALS_INVALID when the App is uninstalled, deleting nothing, and asks for re-auth', async () => {
    const organization = await newOrganization('gamma');
    const created = await install(organization, 5003);
    const installationId = created.body.installation.id as string;
    expect((await sync(organization, installationId)).status).toBe('completed');
    expect(await repositories(organization)).toBe(30);

    // The cached token stops working at once; the next token GitHub refuses (404).
    fake.apps.uninstall(5003);
    const run = await sync(organization, installationId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(await repositories(organization)).toBe(30);
    expect(await state(organization, installationId)).toMatchObject({ state: 'needs_reauth' });
  }, 120_000);

  it('marks a suspended installation needs_reauth when minting is refused, without asking GitHub again', async () => {
    const organization = await newOrganization('delta');
    fake.apps.install(5004, APP_ID, org);
    fake.apps.tokenLifetimeSeconds = 4;
    const created = await install(organization, 5004);
    const installationId = created.body.installation.id as string;
    fake.apps.tokenLifetimeSeconds = 3600;
    await sleep(4_500); // the install's token is due
    fake.apps.suspend(5004);
    const minted = fake.apps.tokensMinted;
    const requestsBefore = fake.requests.length;

    const run = await sync(organization, installationId);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(run.errorMessage).toMatch(/403: This installation has been suspended/);
    const record = await api.app.get(InstallationRepository).find(organization.orgId, installationId);
    expect(record).toMatchObject({ state: 'needs_reauth', stateReason: expect.stringContaining('suspended') });
    const mintRequests = fake.requests.slice(requestsBefore).filter((r) => r.url.endsWith('/access_tokens'));
    expect(mintRequests).toHaveLength(1);
    await expect(tokensFromBothStacks(organization, installationId, 2)).rejects.toMatchObject({ code: 'REAUTH_REQUIRED' });
    expect(fake.requests.slice(requestsBefore).filter((r) => r.url.endsWith('/access_tokens'))).toHaveLength(1);
    expect(fake.apps.tokensMinted).toBe(minted);
  }, 120_000);

  it('syncs only the repositories selected for the installation, never reading the others', async () => {
    const organization = await newOrganization('epsilon');
    fake.apps.selectRepositories(5005, [1, 4, 7]);
    const created = await install(organization, 5005);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const installationId = created.body.installation.id as string;
    const identifiers = async (blueprint: string) =>
      (
        await adminQuery<{ identifier: string }>(
          api.db,
          'SELECT identifier FROM entities WHERE org_id = $1 AND blueprint = $2 ORDER BY 1',
          [organization.orgId, blueprint],
        )
      ).map((row) => row.identifier);
    const requestsBefore = fake.requests.length;

    const run = await sync(organization, installationId);
    expect(run.status, JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error]))).toBe('completed');
    const selected = [`${org}/repo-1`, `${org}/repo-4`, `${org}/repo-7`];
    expect(await identifiers('githubRepository')).toEqual(selected);
    const pulls = await identifiers('githubPullRequest');
    expect(pulls.length).toBeGreaterThan(0);
    expect(new Set(pulls.map((id) => id.split('#')[0]))).toEqual(new Set(selected));
    // Nothing outside the selection was asked for: GitHub would answer 404 to this installation's token.
    const read = fake.requests.slice(requestsBefore).map((r) => r.url);
    const unselected = read.filter((url) => /\/repos\/[^/]+\/repo-(\d+)/.test(url) && !/\/repo-(1|4|7)(\/|\?|$)/.test(url));
    const byId = read.filter((url) => /\/repositories\/\d+/.exec(url) && !/\/repositories\/\d*0000(1|4|7)\//.test(url));
    expect([...unselected, ...byId]).toEqual([]);
    expect(run.deleted).toBe(0);
  }, 120_000);

  it('keeps a separate rate-limit budget per App installation', async () => {
    const registry = api.app.get(IntegrationRegistry);
    const connections = api.app.get(IntegrationConnections);
    const spent = await newOrganization('zeta');
    const spentId = (await install(spent, 5006)).body.installation.id as string;
    const other = await newOrganization('eta');
    const otherCreated = await install(other, 5007);
    expect(otherCreated.status, JSON.stringify(otherCreated.body)).toBe(201);

    // One installation's quota is spent for the hour: its listing waits for GitHub's reset.
    fake.quota(FakeGithub.installationQuota(5006)).remaining = 0;
    const stop = new AbortController();
    const limited = fake.stats.rateLimited;
    const waiting = (async () => {
      const connection = await connections.forInstallation(spent.orgId, spentId, stop.signal);
      for await (const page of registry.get('github').kinds['repository']!.extract(connection, {})) pageItems(page);
    })();
    const outcome = waiting.then(
      () => 'done',
      (error: unknown) => (stop.signal.aborted ? 'stopped' : error),
    );
    for (let i = 0; i < 600 && fake.stats.rateLimited === limited; i++) await sleep(100);
    expect(fake.stats.rateLimited).toBeGreaterThan(limited);

    // The other installation of the same App has its own quota at GitHub, and its own budget here:
    // its sync runs now (a shared budget would wait an hour for the first one's reset).
    const run = await sync(other, otherCreated.body.installation.id as string);
    expect(run.status, JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error]))).toBe('completed');
    expect(await repositories(other)).toBe(30);
    stop.abort();
    expect(await outcome).toBe('stopped');
  }, 120_000);
});
