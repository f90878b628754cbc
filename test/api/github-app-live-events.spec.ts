import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { FakeGithub, FakeGithubAppWebhook, type FakeGithubAppInstallation } from '@mooring/integrations/testing';
import { HookRegistrations } from '@mooring/live-events';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { catalogOf, entityOf, expectResyncAgrees, resyncInProcess } from '../support/resync-in-process.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier } from '../support/live-event-runtime.js';

// GitHub App webhooks end to end, in one process: the platform App's one webhook
// (`/v1/hooks/apps/github`) receives deliveries the fake signs as GitHub signs an App's (the App's
// secret, `installation.id` in the body, the App's id in `X-GitHub-Hook-Installation-Target-ID`),
// routes each to the installation authenticated as that App installation, and the worker's
// applier (run here) writes it through the mapping as the next resync would. Two organizations,
// each with its own installation of the App, never see each other's events. App installations
// never get an organization webhook.
describe('GitHub App webhooks, end to end', () => {
  const APP_ID = 313131;
  const webhookSecret = 'app-webhook-secret-0123456789abcdef';
  const reader = 'ghp_fakeGithubReader0123456789abcdefAB';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let fake: FakeGithub;
  let ghes: FakeGithub | undefined;
  let api: TestApi;
  let app: FakeGithubAppWebhook;
  let acme: TestOrganization;
  let globex: TestOrganization;
  const installed: Record<string, string> = {};
  let acmeAtGithub: FakeGithubAppInstallation;

  const applierFor = () => liveEventApplier(api);
  const apply = (organization: TestOrganization, name: string) =>
    applierFor().drain(organization.orgId, installed[name]!, new AbortController().signal);
  const install = (organization: TestOrganization, name: string, githubInstallation: number, account: string) =>
    api.request('POST', '/v1/installations', {
      token: organization.token,
      body: {
        integrationId: 'github',
        name,
        settings: {
          host: fake.host,
          appId: String(APP_ID),
          installationId: String(githubInstallation),
          privateKey: pem,
          organization: account,
        },
      },
    });
  const sync = (organization: TestOrganization, name: string) => resyncInProcess(api, organization, installed[name]!);
  const entity = (organization: TestOrganization, blueprint: string, identifier: string) =>
    entityOf(api, organization, blueprint, identifier);
  const catalog = (organization: TestOrganization) => catalogOf(api, organization);
  const liveRows = async () =>
    (
      await adminQuery<{ org_id: string; status: string; n: number }>(
        api.db,
        'SELECT org_id, status, count(*)::int AS n FROM live_events GROUP BY 1, 2 ORDER BY 1, 2',
      )
    )
      .map(
        (row) =>
          `${row.org_id === acme.orgId ? 'acme' : row.org_id === globex.orgId ? 'globex' : row.org_id}:${row.status}=${row.n}`,
      )
      .sort();
  const hook = async (organization: TestOrganization, name: string) =>
    (await api.request('GET', `/v1/installations/${installed[name]}/live-events`, { token: organization.token })).body.hook;
  const log = async (organization: TestOrganization, name: string, limit = 1) =>
    (
      await api.request('GET', `/v1/installations/${installed[name]}/live-events/log?limit=${limit}`, {
        token: organization.token,
      })
    ).body.entries;
  const repository = (org: string, i: number) => fake.read(reader, `/repos/${org}/repo-${i}`);
  /** An edit the App delivers for its installation `githubInstallation`, which no Mooring installation on the App's GitHub uses. */
  const expectIgnoredEdit = async (githubInstallation: number) => {
    const answer = await app.deliver(githubInstallation, 'repository', {
      action: 'edited',
      repository: await repository('octo-org', 1),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      status: 'ignored',
      deliveryId: answer.deliveryId,
      reason: `no Mooring installation on ${fake.host}/api/v3 is connected to installation ${githubInstallation} of App ${APP_ID}`,
    });
  };

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 5, members: 3, teams: 1 } });
    // First, so the two organizations' generated ids differ.
    fake.addToken(reader, { login: 'octocat', scopes: 'repo, read:org', organizations: ['octo-org', 'globex-gh'] });
    fake.apps.addApp(APP_ID, publicKey);
    acmeAtGithub = fake.apps.install(7001, APP_ID, 'octo-org');
    fake.apps.install(7002, APP_ID, 'globex-gh');
    const port = await freePort();
    api = await TestApi.start({
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      API_PORT: String(port),
      PUBLIC_API_URL: `http://127.0.0.1:${port}`,
      // Mooring's own App: all four variables or none.
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_APP_SLUG: 'mooring-test',
      GITHUB_APP_PRIVATE_KEY: pem,
      GITHUB_APP_WEBHOOK_SECRET: webhookSecret,
      // The App lives on the fake GitHub: it routes only to installations whose host is that one.
      GITHUB_APP_WEB_URL: fake.host,
      GITHUB_APP_API_URL: `${fake.host}/api/v3`,
      WEBHOOK_BODY_LIMIT_BYTES: '65536',
    });
    app = new FakeGithubAppWebhook(APP_ID, `${api.baseUrl}/v1/hooks/apps/github`, webhookSecret);
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
    for (const organization of [acme, globex]) {
      await api.request('PATCH', '/v1/organization', { token: organization.token, body: { allowHttpHosts: true } });
    }
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await ghes?.close();
  });

  it('installs an App installation with its organization set without registering an organization webhook', async () => {
    const created = await install(acme, 'acme-app', 7001, 'octo-org');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installed['acme-app'] = created.body.installation.id;
    const other = await install(globex, 'globex-app', 7002, 'globex-gh');
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    installed['globex-app'] = other.body.installation.id;

    expect(await hook(acme, 'acme-app')).toMatchObject({
      supported: true,
      registersItself: false,
      status: 'on',
      hookUrl: expect.stringMatching(/\/v1\/hooks\/h_/),
    });
    // What the worker's register job does, and asking for a registration again: neither reaches GitHub.
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installed['acme-app']!);
    const registered = await api.app.get(HookRegistrations).register(acme.orgId, installed['acme-app']!, 'github', connection);
    expect(registered).toMatchObject({ registersItself: false, status: 'on' });
    const again = await api.request('POST', `/v1/installations/${installed['acme-app']}/live-events/register`, {
      token: acme.token,
    });
    expect(again.body).toMatchObject({ registersItself: false, status: 'on' });
    expect(fake.webhooks).toHaveLength(0);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.url.includes('/hooks'))).toEqual([]);

    // The user's own App posts to the installation's hook URL: its secret is shown once, on rotation.
    const rotated = await api.request('POST', `/v1/installations/${installed['acme-app']}/live-events/rotate-secret`, {
      token: acme.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ registersItself: false, secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(JSON.stringify(await hook(acme, 'acme-app'))).not.toContain(rotated.body.secret);
    expect(fake.webhooks).toHaveLength(0);

    for (const [organization, name] of [
      [acme, 'acme-app'],
      [globex, 'globex-app'],
    ] as const) {
      expect((await sync(organization, name)).status).toBe('completed');
    }
  });

  it('applies an App delivery for a known installation as the next resync would, and never to another organization', async () => {
    const before = await catalog(globex);
    const edited = await repository('octo-org', 1);
    fake.patchItem(edited.id, { description: 'Edited through the App' });
    const answer = await app.deliver(7001, 'repository', { action: 'edited', repository: await repository('octo-org', 1) });
    expect(answer.status, answer.body).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({ status: 'accepted', deliveryId: answer.deliveryId });
    await apply(acme, 'acme-app');
    expect((await entity(acme, 'githubRepository', 'octo-org/repo-1'))?.properties['description']).toBe('Edited through the App');
    expect(await log(acme, 'acme-app')).toMatchObject([
      { status: 'applied', deliveryId: answer.deliveryId, event: 'repository' },
    ]);
    await expectResyncAgrees(api, acme, installed['acme-app']!);

    // Globex's App installation: its event lands in globex only.
    const theirs = await repository('globex-gh', 2);
    fake.patchItem(theirs.id, { description: 'Globex only' });
    expect(
      (await app.deliver(7002, 'repository', { action: 'edited', repository: await repository('globex-gh', 2) })).status,
    ).toBe(202);
    await apply(globex, 'globex-app');
    await apply(acme, 'acme-app');
    expect((await entity(globex, 'githubRepository', 'globex-gh/repo-2'))?.properties['description']).toBe('Globex only');
    expect(await entity(acme, 'githubRepository', 'globex-gh/repo-2')).toBeUndefined();
    expect(await catalog(globex)).not.toEqual(before);
    expect((await log(acme, 'acme-app', 50)).map((e: { event: string }) => e.event)).toEqual(['repository']);
    expect(await liveRows()).toEqual(['acme:applied=1', 'globex:applied=1']);
  });

  it('refuses forged, unsigned, oversized and unreadable deliveries writing nothing, and applies a replayed delivery id once', async () => {
    const before = await liveRows();
    const payload = { action: 'edited', repository: { ...(await repository('octo-org', 2)), description: 'forged' } };
    const forged = await app.deliver(7001, 'repository', payload, { secret: 'not-the-app-secret-at-all' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error).toMatchObject({ code: 'WEBHOOK_REFUSED', details: { reason: 'bad_signature' } });
    const unsigned = await app.deliver(7001, 'repository', payload, { signed: false });
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.body).error.details.reason).toBe('missing_signature');
    // A delivery signed with an installation's own hook secret is not the App's.
    const rotated = await api.request('POST', `/v1/installations/${installed['acme-app']}/live-events/rotate-secret`, {
      token: acme.token,
    });
    expect((await app.deliver(7001, 'repository', payload, { secret: rotated.body.secret })).status).toBe(401);
    // Oversized (413 before it is read), or signed but not JSON.
    const oversized = await app.deliver(7001, 'repository', payload, {
      body: JSON.stringify({ ...payload, padding: 'x'.repeat(70_000), installation: { id: 7001 } }),
    });
    expect(oversized.status).toBe(413);
    const notJson = await app.deliver(7001, 'repository', payload, { body: 'installation=7001' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe('MALFORMED_JSON');
    expect(await liveRows()).toEqual(before);
    expect((await entity(acme, 'githubRepository', 'octo-org/repo-2'))?.properties['description']).not.toBe('forged');

    const edited = await repository('octo-org', 3);
    fake.patchItem(edited.id, { description: 'Once' });
    const deliveryId = '0b7e9a41-91b1-11f0-8a6e-3d1c5f2c7a30';
    const first = await app.deliver(
      7001,
      'repository',
      { action: 'edited', repository: await repository('octo-org', 3) },
      { deliveryId },
    );
    const replayed = await app.deliver(
      7001,
      'repository',
      { action: 'edited', repository: await repository('octo-org', 3) },
      { deliveryId },
    );
    expect([first.status, replayed.status]).toEqual([202, 200]);
    expect(JSON.parse(replayed.body)).toEqual({ status: 'duplicate', deliveryId });
    await apply(acme, 'acme-app');
    const rows = await adminQuery<{ status: string }>(
      api.db,
      'SELECT status FROM live_events WHERE org_id = $1 AND delivery_id = $2 ORDER BY id',
      [acme.orgId, deliveryId],
    );
    expect(rows.map((r) => r.status)).toEqual(['applied', 'duplicate']);
  });

  it('acknowledges a delivery for an App installation no Mooring installation uses, storing nothing', async () => {
    const before = await liveRows();
    await expectIgnoredEdit(9999);
    // Another App's installation with the same id is not this App's.
    const otherApp = new FakeGithubAppWebhook(APP_ID + 1, app.url, webhookSecret);
    expect(
      JSON.parse(
        (await otherApp.deliver(7001, 'repository', { action: 'edited', repository: await repository('octo-org', 1) })).body,
      ),
    ).toMatchObject({ status: 'ignored' });
    // Signed, but naming no installation (an App-level event GitHub sends without one).
    const unnamed = await app.deliver(0, 'ping', {}, { body: JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }) });
    expect(JSON.parse(unnamed.body)).toMatchObject({ status: 'ignored', reason: 'the delivery names no App installation' });
    expect(await liveRows()).toEqual(before);
  });

  it('routes a delivery only to installations on the App’s own GitHub, not to the same ids on another GitHub', async () => {
    // A GitHub Enterprise Server numbers its Apps and installations itself: installation 7001 of an
    // App with the same id there is another installation, of other people's repositories.
    ghes = await FakeGithub.start({ shape: { repositories: 2, members: 1, teams: 1 } });
    ghes.apps.addApp(APP_ID, publicKey);
    ghes.apps.install(7001, APP_ID, 'octo-org');
    ghes.apps.install(7003, APP_ID, 'octo-org');
    const initech = await api.createOrganization('initech');
    await api.request('PATCH', '/v1/organization', { token: initech.token, body: { allowHttpHosts: true } });
    for (const githubInstallation of [7001, 7003]) {
      const created = await api.request('POST', '/v1/installations', {
        token: initech.token,
        body: {
          integrationId: 'github',
          name: `ghes-${githubInstallation}`,
          settings: {
            host: ghes.host,
            appId: String(APP_ID),
            installationId: String(githubInstallation),
            privateKey: pem,
            organization: 'octo-org',
          },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      installed[`ghes-${githubInstallation}`] = created.body.installation.id;
    }
    const initechEvents = async () =>
      (
        await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM live_events WHERE org_id = $1', [initech.orgId])
      )[0]!.n;

    // The App's installation 7001 (on the App's GitHub): acme's installation only.
    const edited = await repository('octo-org', 1);
    fake.patchItem(edited.id, { description: 'Only on the App’s GitHub' });
    const answer = await app.deliver(7001, 'repository', { action: 'edited', repository: await repository('octo-org', 1) });
    expect(answer.status, answer.body).toBe(202);
    await apply(acme, 'acme-app');
    await apply(initech, 'ghes-7001');
    expect((await entity(acme, 'githubRepository', 'octo-org/repo-1'))?.properties['description']).toBe(
      'Only on the App’s GitHub',
    );
    expect(await entity(initech, 'githubRepository', 'octo-org/repo-1')).toBeUndefined();
    expect(await initechEvents()).toBe(0);

    // Installation 7003 exists only on the other GitHub: acknowledged, ignored, nothing stored.
    await expectIgnoredEdit(7003);
    expect(await initechEvents()).toBe(0);
    // Nor does the App installation's suspension there reach initech's installations.
    const suspended = await app.deliver(7003, 'installation', {
      action: 'suspend',
      installation: { id: 7003, account: { login: 'octo-org', type: 'Organization' }, app_id: APP_ID },
    });
    expect(JSON.parse(suspended.body)).toMatchObject({ status: 'ignored' });
    for (const name of ['ghes-7001', 'ghes-7003']) {
      const shown = await api.request('GET', `/v1/installations/${installed[name]}`, { token: initech.token });
      expect(shown.body.installation.state).toBe('active');
    }
  });

  it('adds repositories added to the App installation, and deletes removed ones only once GitHub confirms', async () => {
    const repo = await repository('octo-org', 4);
    // Gone for a while: the resync deletes it.
    fake.removeItem(repo.id);
    expect((await sync(acme, 'acme-app')).status).toBe('completed');
    expect(await entity(acme, 'githubRepository', 'octo-org/repo-4')).toBeUndefined();

    fake.restoreItem(repo.id);
    const simple = { id: repo.id, node_id: repo.node_id, name: repo.name, full_name: repo.full_name, private: repo.private };
    const added = await app.deliver(7001, 'installation_repositories', {
      action: 'added',
      repository_selection: 'selected',
      repositories_added: [simple],
      repositories_removed: [],
    });
    expect(added.status).toBe(202);
    await apply(acme, 'acme-app');
    expect(await entity(acme, 'githubRepository', 'octo-org/repo-4')).toBeDefined();

    // Removed, but GitHub still lets the installation read it: nothing is deleted.
    const removed = {
      action: 'removed',
      repository_selection: 'selected',
      repositories_added: [],
      repositories_removed: [simple],
    };
    await app.deliver(7001, 'installation_repositories', removed);
    await apply(acme, 'acme-app');
    expect(await entity(acme, 'githubRepository', 'octo-org/repo-4')).toBeDefined();
    expect((await log(acme, 'acme-app'))[0].changes).toEqual([
      expect.objectContaining({ kind: 'repository', itemId: 'octo-org/repo-4', action: 'delete' }),
    ]);
    // Gone for the installation now: deleted.
    fake.removeItem(repo.id);
    await app.deliver(7001, 'installation_repositories', removed);
    await apply(acme, 'acme-app');
    expect(await entity(acme, 'githubRepository', 'octo-org/repo-4')).toBeUndefined();
    await expectResyncAgrees(api, acme, installed['acme-app']!);
  });

  it('needs attention while the App installation is suspended or uninstalled, with no runs or live events, and is back when unsuspended', async () => {
    const state = async (organization: TestOrganization, name: string) =>
      (await api.request('GET', `/v1/installations/${installed[name]}`, { token: organization.token })).body.installation;
    const installation = { id: 7001, account: { login: 'octo-org', type: 'Organization' }, app_id: APP_ID };
    fake.apps.suspend(7001);
    const suspended = await app.deliver(7001, 'installation', { action: 'suspend', installation });
    expect(suspended.status, suspended.body).toBe(202);
    expect(await state(acme, 'acme-app')).toMatchObject({
      state: 'needs_reauth',
      stateReason: expect.stringContaining('octo-org was suspended'),
    });
    expect((await state(globex, 'globex-app')).state).toBe('active');

    // No run, and live events are dropped (recorded) until it is resolved.
    const resync = await api.request('POST', `/v1/installations/${installed['acme-app']}/resync`, { token: acme.token });
    expect(resync.body.error?.code).toBe('REAUTH_REQUIRED');
    const edited = await repository('octo-org', 0);
    fake.patchItem(edited.id, { description: 'While suspended' });
    expect(
      (await app.deliver(7001, 'repository', { action: 'edited', repository: await repository('octo-org', 0) })).status,
    ).toBe(202);
    await apply(acme, 'acme-app');
    expect((await entity(acme, 'githubRepository', 'octo-org/repo-0'))?.properties['description']).not.toBe('While suspended');
    expect(await log(acme, 'acme-app')).toMatchObject([{ status: 'dropped', reason: expect.stringContaining('needs_reauth') }]);

    acmeAtGithub.suspended = false;
    const unsuspended = await app.deliver(7001, 'installation', { action: 'unsuspend', installation });
    expect(unsuspended.status).toBe(202);
    expect(await state(acme, 'acme-app')).toMatchObject({ state: 'active', stateReason: null });
    const run = await sync(acme, 'acme-app');
    expect(run.status, JSON.stringify(run.resources.map((r) => r.error))).toBe('completed');
    expect((await entity(acme, 'githubRepository', 'octo-org/repo-0'))?.properties['description']).toBe('While suspended');

    // Uninstalled: needs attention, saying what to do; an unsuspend (out of order) does not undo a credential refusal.
    fake.apps.uninstall(7001);
    await app.deliver(7001, 'installation', { action: 'deleted', installation });
    expect(await state(acme, 'acme-app')).toMatchObject({
      state: 'needs_reauth',
      stateReason: expect.stringContaining('uninstalled from octo-org'),
    });
    expect((await state(globex, 'globex-app')).state).toBe('active');
    const audit = await api.request('GET', '/v1/audit-log', { token: acme.token });
    expect(
      audit.body.events
        .filter((e: { action: string }) => e.action === 'installation.state_changed')
        .map((e: { details: { to: string } }) => e.details.to),
    ).toEqual(['needs_reauth', 'active', 'needs_reauth']);
  });
});
