import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore, InstallationLifecycle, IntegrationConnections, credentialsReplaced } from '@mooring/installations';
import { InstallationRepository } from '@mooring/persistence';
import { FakeGithub, LoopbackServer, type FakeInstallChoice } from '@mooring/integrations/testing';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { HeadlessBrowser } from '../support/headless-browser.js';
import { resyncInProcess } from '../support/resync-in-process.js';
import { findSecretLeaks } from '../support/secret-leaks.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// "Install the GitHub App" end to end: the api on a known port (its /v1/github-app/setup is the
// App's Setup URL), the fake GitHub's install page sending the browser back there with
// installation_id, setup_action and state, and the browser a fetch loop with a cookie jar. GitHub
// is asked, with the App's JWT, whether each installation id belongs to the App before anything
// is written.
describe('GitHub App install flow', () => {
  const APP_ID = 31337;
  const OTHER_APP_ID = 31338;
  const SLUG = 'mooring-test';
  // Made at test time: no private key is committed.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const webhookSecret = randomBytes(24).toString('base64url');
  let fake: FakeGithub;
  let webApp: LoopbackServer;
  let api: TestApi;
  let returnUrl: string;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let ada: { email: string; password: string };
  let bob: { email: string; password: string };
  let gil: { email: string; password: string };
  const browsers: HeadlessBrowser[] = [];

  const signedIn = async (person: { email: string; password: string }, tab = new HeadlessBrowser()) => {
    const response = await tab.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: person.email, password: person.password });
    if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
    browsers.push(tab);
    return tab;
  };
  const start = async (tab: HeadlessBrowser, body: Record<string, unknown> = { returnUrl }) =>
    tab.send('POST', `${api.baseUrl}/v1/github-app/install`, body);
  /** Opens GitHub's install page, where the person makes `choice`; returns the Setup URL GitHub sent the browser to. */
  const installOnGithub = async (tab: HeadlessBrowser, installUrl: string, choice: FakeInstallChoice) => {
    fake.apps.nextInstall = choice;
    const page = await fetch(installUrl, { redirect: 'manual' });
    expect(page.status).toBe(302);
    return page.headers.get('location')!;
  };
  const land = async (tab: HeadlessBrowser, url: string) => {
    const landed = await tab.navigate(url);
    return { status: landed.status, body: landed.body, outcome: Object.fromEntries(new URL(landed.url).searchParams) };
  };
  const rows = async () =>
    (
      await adminQuery<{ installations: number; links: number; sessions: number }>(
        api.db,
        `SELECT (SELECT count(*)::int FROM installations) AS installations,
                (SELECT count(*)::int FROM platform_app_installations) AS links,
                (SELECT count(*)::int FROM installation_credentials) AS sessions`,
      )
    )[0]!;
  const sync = (organization: TestOrganization, installationId: string) => resyncInProcess(api, organization, installationId);

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 12, members: 3, teams: 2 } });
    fake.apps.addApp(APP_ID, publicKey);
    fake.apps.addApp(OTHER_APP_ID, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
    fake.apps.install(7001, APP_ID, 'octo-org');
    fake.apps.install(7002, APP_ID, 'octo-org');
    // Installed, but of another App: a browser can send its id all the same.
    fake.apps.install(7900, OTHER_APP_ID, 'octo-org');
    webApp = await LoopbackServer.start((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Back in the console</p>');
    });
    returnUrl = `${webApp.origin}/integrations/github/installed`;
    const port = await freePort();
    fake.apps.publish(SLUG, APP_ID, `http://127.0.0.1:${port}/v1/github-app/setup`);
    api = await TestApi.start({
      API_PORT: String(port),
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      OAUTH_RETURN_URL_ORIGINS: webApp.origin,
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_APP_SLUG: SLUG,
      GITHUB_APP_PRIVATE_KEY: pem,
      GITHUB_APP_WEBHOOK_SECRET: webhookSecret,
      GITHUB_APP_WEB_URL: fake.host,
      GITHUB_APP_API_URL: `${fake.host}/api/v3`,
    });
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
    ada = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    bob = await api.createUser(acme.orgId, 'bob@acme.test', 'admin');
    gil = await api.createUser(globex.orgId, 'gil@globex.test', 'admin');
    // The fake GitHub speaks plain http on loopback.
    for (const organization of [acme, globex]) {
      await api.request('PATCH', '/v1/organization', { token: organization.token, body: { allowHttpHosts: true } });
    }
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await webApp?.close();
  });

  it('offers the App in the integration listing', async () => {
    const listed = await api.request('GET', '/v1/integrations/github', { token: acme.token });
    expect(listed.body.integration.app).toEqual({ slug: SLUG });
    const gitlab = await api.request('GET', '/v1/integrations/gitlab', { token: acme.token });
    expect(gitlab.body.integration.app).toBeNull();
  });

  it('installs from GitHub’s install page, proves the installation is the App’s, and syncs it end to end', async () => {
    const tab = await signedIn(ada);
    const started = await start(tab, { returnUrl, name: 'GitHub (App)' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const installUrl = new URL(started.body.authorizationUrl);
    expect(`${installUrl.origin}${installUrl.pathname}`).toBe(`${fake.host}/apps/${SLUG}/installations/new`);
    expect(installUrl.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.headers.get('set-cookie')).toMatch(/HttpOnly/i);

    const setupUrl = await installOnGithub(tab, started.body.authorizationUrl, { installationId: 7001, action: 'install' });
    const landed = await land(tab, setupUrl);
    expect(landed.body).toContain('Back in the console');
    expect(landed.outcome).toMatchObject({ status: 'success', method: 'github-app', installationId: expect.any(String) });
    const id = landed.outcome['installationId']!;

    const installation = (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation;
    expect(installation).toMatchObject({
      name: 'GitHub (App)',
      integrationId: 'github',
      settings: { host: fake.host, appId: String(APP_ID), installationId: '7001' },
      secrets: { privateKey: { set: false } },
    });
    expect(await rows()).toMatchObject({ installations: 1, links: 1 });

    // The token minted to prove the installation is kept: the first sync mints none.
    const minted = fake.apps.tokensMinted;
    const run = await sync(acme, id);
    expect(run.status, JSON.stringify(run)).toBe('completed');
    expect(fake.apps.tokensMinted).toBe(minted);
    const repositories = await adminQuery<{ n: number }>(
      api.db,
      "SELECT count(*)::int AS n FROM entities WHERE org_id = $1 AND blueprint = 'githubRepository'",
      [acme.orgId],
    );
    expect(repositories[0]!.n).toBe(12);

    // Once the token is due, the next one is minted with the platform App's key for the recorded
    // GitHub installation: a settings change cannot point the App's key at another installation.
    const retarget = await api.request('PATCH', `/v1/installations/${id}`, {
      token: acme.token,
      body: { settings: { installationId: '7002' } },
    });
    expect(retarget.status).toBe(400);
    expect(retarget.body.error.details.fields).toEqual([{ field: 'settings', message: expect.any(String) }]);
    await api.app
      .get(InstallationRepository)
      .replaceCredential(
        acme.orgId,
        id,
        await api.app.get(CredentialStore).seal(acme.orgId, id, { kind: 'settings', secrets: {} }),
        {},
        credentialsReplaced(),
      );
    const token = await (await api.app.get(IntegrationConnections).forInstallation(acme.orgId, id)).accessToken();
    expect(fake.apps.tokensMinted).toBe(minted + 1);
    expect(fake.apps.mintedTokens().at(-1)).toBe(token);
    expect((await fake.read(token, '/installation/repositories?per_page=1')) as { total_count: number }).toMatchObject({
      total_count: 12,
    });

    // Audited like every install, by the person who installed it.
    const audit = await adminQuery<{ action: string; actor_id: string }>(
      api.db,
      "SELECT action, actor_id FROM audit_events WHERE org_id = $1 AND action LIKE 'installation.%'",
      [acme.orgId],
    );
    expect(audit.map((entry) => entry.action)).toContain('installation.created');

    // `update` (repositories changed on GitHub) for the same installation: no duplicate, back to it.
    const again = await start(tab);
    const updated = await land(
      tab,
      await installOnGithub(tab, again.body.authorizationUrl, { installationId: 7001, action: 'update' }),
    );
    expect(updated.outcome).toMatchObject({ status: 'success', installationId: id });
    expect(await rows()).toMatchObject({ installations: 1, links: 1 });

    // Suspended on GitHub (the App's webhook withdrew access): `update` while GitHub still refuses
    // tokens changes nothing; once the suspension is lifted, GitHub proving it again restores it.
    const installationState = async () =>
      (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation.state as string;
    fake.apps.suspend(7001);
    await api.app.get(InstallationLifecycle).accessWithdrawn(acme.orgId, id, 'installation suspended');
    const whileSuspended = await start(tab);
    const refused = await land(
      tab,
      await installOnGithub(tab, whileSuspended.body.authorizationUrl, { installationId: 7001, action: 'update' }),
    );
    expect(refused.outcome).toMatchObject({ status: 'error', error: 'APP_INSTALLATION_NOT_FOUND' });
    expect(await installationState()).toBe('needs_reauth');
    fake.apps.unsuspend(7001);
    const afterUnsuspend = await start(tab);
    const restored = await land(
      tab,
      await installOnGithub(tab, afterUnsuspend.body.authorizationUrl, { installationId: 7001, action: 'update' }),
    );
    expect(restored.outcome).toMatchObject({ status: 'success', installationId: id });
    expect(await installationState()).toBe('active');
    expect(await rows()).toMatchObject({ installations: 1, links: 1 });

    // A used state is refused (replay), with nothing written.
    const replay = await land(tab, setupUrl);
    expect(replay.outcome).toMatchObject({ status: 'error', error: 'OAUTH_STATE_REUSED' });
  });

  it('shows an App installation as connected through Mooring’s App, with no hook of its own to rotate or register', async () => {
    const listed = await api.request('GET', '/v1/installations', { token: acme.token });
    const viaApp = (listed.body.installations as Array<{ id: string; connectedThrough: unknown }>).find(
      (candidate) => candidate.connectedThrough !== null,
    )!;
    const connectedThrough = {
      kind: 'mooring-github-app',
      account: 'octo-org',
      accountType: 'Organization',
      appInstallationId: '7001',
      manageUrl: `${fake.host}/organizations/octo-org/settings/installations/7001`,
    };
    expect(viaApp.connectedThrough).toEqual(connectedThrough);
    const id = viaApp.id;
    const one = await api.request('GET', `/v1/installations/${id}`, { token: acme.token });
    expect(one.body.installation.connectedThrough).toEqual(connectedThrough);

    // Its deliveries arrive at the App's webhook: no URL, no secret, nothing to set up.
    const live = await api.request('GET', `/v1/installations/${id}/live-events`, { token: acme.token });
    expect(live.status).toBe(200);
    expect(live.body.hook).toEqual({
      supported: true,
      deliveredThrough: 'mooring-app',
      registersItself: false,
      hookUrl: null,
      status: 'on',
      statusReason: expect.stringContaining('nothing to set up'),
      registeredAt: null,
      expiresAt: null,
      secretRotatedAt: null,
      previousSecretValidUntil: null,
    });
    expect(JSON.stringify(live.body)).not.toMatch(/\/v1\/hooks\/h_/);

    // Rotating or registering its hook is refused with a code, and writes nothing (the hook row, the audit trail).
    const written = async () => ({
      hook: await adminQuery(api.db, 'SELECT * FROM installation_hooks WHERE installation_id = $1', [id]),
      audit: await adminQuery(api.db, 'SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1', [acme.orgId]),
    });
    const before = await written();
    for (const action of ['rotate-secret', 'register']) {
      const refused = await api.request('POST', `/v1/installations/${id}/live-events/${action}`, { token: acme.token });
      expect(refused.status, action).toBe(409);
      expect(refused.body.error).toMatchObject({
        code: 'HOOK_MANAGED_BY_APP',
        message: expect.stringContaining('nothing was changed'),
      });
      expect(refused.body.error).not.toHaveProperty('secret');
    }
    expect(await written()).toEqual(before);

    // What is not a credential stays the organization's to change.
    const changed = await api.request('PATCH', `/v1/installations/${id}`, {
      token: acme.token,
      body: { name: 'GitHub (App, renamed)', schedule: { every: '2h' }, maxFetchDrop: 0.3 },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.installation).toMatchObject({
      name: 'GitHub (App, renamed)',
      schedule: { every: '2h' },
      maxFetchDrop: 0.3,
      connectedThrough,
    });

    // A token installation beside it keeps its own hook: its URL, and a rotation that goes ahead.
    const token = fake.addToken('ghp_fakeAppConsoleToken0123456789abcdefAB', {
      login: 'octocat',
      scopes: 'repo, read:org, admin:org_hook',
      organizations: ['octo-org'],
    });
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'github', name: 'GitHub (token)', settings: { token, host: fake.host, organization: 'octo-org' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.installation.connectedThrough).toBeNull();
    const own = await api.request('GET', `/v1/installations/${created.body.installation.id}/live-events`, { token: acme.token });
    expect(own.body.hook).toMatchObject({
      deliveredThrough: 'installation-hook',
      registersItself: true,
      hookUrl: expect.stringMatching(/\/v1\/hooks\/h_[A-Za-z0-9_-]{43}$/),
    });
    const rotated = await api.request('POST', `/v1/installations/${created.body.installation.id}/live-events/rotate-secret`, {
      token: acme.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ deliveredThrough: 'installation-hook', secretRotatedAt: expect.any(String) });
    const removed = await api.request('DELETE', `/v1/installations/${created.body.installation.id}`, { token: acme.token });
    expect(removed.status).toBe(200);
  });

  it('refuses the same GitHub installation for another Mooring organization', async () => {
    const before = await rows();
    const tab = await signedIn(gil);
    const started = await start(tab);
    const landed = await land(
      tab,
      await installOnGithub(tab, started.body.authorizationUrl, { installationId: 7001, action: 'install' }),
    );
    expect(landed.outcome).toMatchObject({ status: 'error', error: 'APP_INSTALLATION_TAKEN' });
    expect(await rows()).toEqual(before);
    const listed = await api.request('GET', '/v1/installations', { token: globex.token });
    expect(listed.body.installations).toEqual([]);
  });

  it('refuses an installation id that is not the App’s (GitHub answers 404), writing nothing', async () => {
    const before = await rows();
    const tab = await signedIn(ada);
    const started = await start(tab, { returnUrl, name: 'Not ours' });
    const setupUrl = await installOnGithub(tab, started.body.authorizationUrl, { installationId: 7001, action: 'install' });
    // The browser swaps the installation id for one of another App.
    const forged = new URL(setupUrl);
    forged.searchParams.set('installation_id', '7900');
    const landed = await land(tab, forged.toString());
    expect(landed.outcome).toMatchObject({ status: 'error', error: 'APP_INSTALLATION_NOT_FOUND' });
    expect(await rows()).toEqual(before);
  });

  it('shows a pending request (an owner must approve) and creates nothing', async () => {
    const before = await rows();
    const tab = await signedIn(ada);
    const started = await start(tab);
    const landed = await land(tab, await installOnGithub(tab, started.body.authorizationUrl, { action: 'request' }));
    expect(landed.outcome).toMatchObject({ status: 'pending', method: 'github-app' });
    expect(await rows()).toEqual(before);
  });

  it('refuses a forged, expired, other-browser or other-person redirect with nothing written', async () => {
    const before = await rows();
    const tab = await signedIn(ada);

    // A state Mooring never issued: nowhere safe to return to, a coded JSON error.
    const forged = await api.fetch(`/v1/github-app/setup?installation_id=7002&setup_action=install&state=${'x'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('OAUTH_STATE_INVALID');

    // An App install's state at the OAuth callback (or the other way round) matches nothing.
    const crossed = await start(tab);
    const crossedState = new URL(crossed.body.authorizationUrl).searchParams.get('state')!;
    const atOAuth = await api.fetch(`/v1/oauth/callback?code=abc&state=${crossedState}`);
    expect(atOAuth.status).toBe(400);
    expect(((await atOAuth.json()) as { error: { code: string } }).error.code).toBe('OAUTH_STATE_INVALID');

    // Expired.
    const expiring = await start(tab);
    const expiredUrl = await installOnGithub(tab, expiring.body.authorizationUrl, { installationId: 7002, action: 'install' });
    await adminQuery(api.db, "UPDATE oauth_connect_sessions SET expires_at = now() - interval '1 minute' WHERE org_id = $1", [
      acme.orgId,
    ]);
    expect((await land(tab, expiredUrl)).outcome).toMatchObject({ status: 'error', error: 'OAUTH_STATE_EXPIRED' });

    // Another browser (no binding cookie), even with the same person signed in there.
    const started = await start(tab);
    const setupUrl = await installOnGithub(tab, started.body.authorizationUrl, { installationId: 7002, action: 'install' });
    const elsewhere = await signedIn(ada);
    expect((await land(elsewhere, setupUrl)).outcome).toMatchObject({ status: 'error', error: 'OAUTH_BROWSER_MISMATCH' });

    // The same browser, but another person signed in by then.
    const third = await start(tab);
    const thirdUrl = await installOnGithub(tab, third.body.authorizationUrl, { installationId: 7002, action: 'install' });
    await signedIn(bob, tab);
    const person = await land(tab, thirdUrl);
    expect(person.outcome).toMatchObject({ status: 'error', error: 'OAUTH_BROWSER_MISMATCH' });
    expect(person.outcome['error_description']).toMatch(/someone else/);

    expect(await rows()).toEqual(before);
  });

  it('asks for a person and an allowed return URL', async () => {
    const byClient = await api.request('POST', '/v1/github-app/install', { token: acme.token, body: { returnUrl } });
    expect(byClient.status).toBe(403);
    const tab = await signedIn(ada);
    const elsewhere = await start(tab, { returnUrl: 'https://evil.example/landing' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.details.fields[0].field).toBe('returnUrl');
  });

  it('never shows the App’s private key, webhook secret or tokens in responses, pages, logs or the database', async () => {
    const keyBody = pem.split('\n').slice(1, -2).join('');
    const transcripts = browsers.flatMap((tab) => tab.transcript);
    const tokens = fake.apps.mintedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const leaks = await findSecretLeaks([pem, keyBody.slice(0, 64), webhookSecret, ...tokens], {
      logs: api.logs,
      responses: [...api.responses, ...transcripts],
      database: api.db,
      redis: api.redis,
    });
    expect(leaks).toEqual([]);
  });
});

describe('GitHub App install flow without a platform App', () => {
  let api: TestApi;
  afterAll(async () => api?.close());

  it('answers a coded 409 and lists no App', async () => {
    api = await TestApi.start();
    const acme = await api.createOrganization('acme');
    const person = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    const tab = new HeadlessBrowser();
    await tab.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: person.email, password: person.password });
    const started = await tab.send('POST', `${api.baseUrl}/v1/github-app/install`, { returnUrl: `${api.baseUrl}/integrations` });
    expect(started.status).toBe(409);
    expect(started.body.error.code).toBe('APP_NOT_CONFIGURED');
    const listed = await api.request('GET', '/v1/integrations/github', { token: acme.token });
    expect(listed.body.integration.app).toBeNull();
  });
});
