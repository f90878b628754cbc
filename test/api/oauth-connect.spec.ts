import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore, IntegrationConnections } from '@mooring/installations';
import { INTEGRATIONS, IntegrationRegistry } from '@mooring/integrations';
import { LoopbackServer } from '@mooring/integrations/testing';
import { InstallationRepository } from '@mooring/persistence';
import { ScheduleRegistry } from '@mooring/queue';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { OAuthProvider } from '../support/fakes/oauth-provider.js';
import { HeadlessBrowser } from '../support/headless-browser.js';
import { RecordingHooks } from '../support/recording-hooks.js';
import { findSecretLeaks } from '../support/secret-leaks.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { oauthTestIntegration } from '../support/test-integrations.js';

const base64url = (value: Buffer) => value.toString('base64url');

// The OAuth connect flow end to end: the api in-process on a known port (its callback is the
// registered redirect URI), a real OAuth 2.0 server on loopback, the "web app" a loopback server
// the browser returns to, and the browser a fetch loop with manual redirects and a cookie jar.
describe('OAuth connect flow against a real authorization server', () => {
  let api: TestApi;
  let provider: OAuthProvider;
  let webApp: LoopbackServer;
  let hooks!: RecordingHooks;
  let acme: TestOrganization;
  let redirectUri: string;
  let returnUrl: string;
  let browser: HeadlessBrowser;
  let admin: { id: string; email: string; password: string };
  const verifiers: string[] = [];

  /** A browser with a person of acme signed in. */
  const signedIn = async (person: { email: string; password: string }) => {
    const tab = new HeadlessBrowser();
    const response = await tab.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: person.email, password: person.password });
    if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
    return tab;
  };
  const connect = (body: Record<string, unknown>, from = browser) => from.send('POST', `${api.baseUrl}/v1/oauth/connect`, body);
  const outcome = (url: string) => Object.fromEntries(new URL(url).searchParams);
  const installationCount = async () =>
    (await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM installations'))[0]!.n;

  beforeAll(async () => {
    provider = await OAuthProvider.start();
    webApp = await LoopbackServer.start((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Back in the web app</p>');
    });
    const port = await freePort();
    redirectUri = `http://127.0.0.1:${port}/v1/oauth/callback`;
    returnUrl = `${webApp.origin}/integrations/done?from=mooring`;
    api = await TestApi.start(
      {
        API_PORT: String(port),
        UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
        OAUTH_CLIENTS: JSON.stringify({ 'oauth-test': provider.client }),
        OAUTH_REDIRECT_URL: redirectUri,
        OAUTH_RETURN_URL_ORIGINS: `https://app.mooring.example, ${webApp.origin}`,
      },
      ({ redis }) => {
        hooks = new RecordingHooks(redis);
        return {
          ports: hooks.ports(),
          integrations: new IntegrationRegistry([oauthTestIntegration(provider.issuer), ...INTEGRATIONS]),
        };
      },
    );
    acme = await api.createOrganization('acme');
    admin = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    browser = await signedIn(admin);
    // The test authorization server speaks plain http on loopback.
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
  });

  afterAll(async () => {
    await hooks.close();
    await api.close();
    await provider.stop();
    await webApp.close();
  });

  it('runs the authorization-code flow headlessly: state, PKCE S256, exact redirect URI, tokens verified and stored encrypted', async () => {
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Things' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const authorization = new URL(started.body.authorizationUrl);
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${provider.issuer}/authorize`);
    const params = Object.fromEntries(authorization.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: provider.client.clientId,
      redirect_uri: redirectUri,
      scope: 'read:things read:org',
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
    expect(params['state']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(started.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    const landed = await browser.navigate(started.body.authorizationUrl);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('Back in the web app');
    const result = outcome(landed.url);
    expect(result).toMatchObject({ from: 'mooring', status: 'success', installationId: expect.any(String) });

    // The code exchange carried the verifier of the challenge, and the exact redirect URI.
    const exchange = provider.tokenRequests.at(-1)!;
    expect(exchange).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
      client_id: provider.client.clientId,
    });
    verifiers.push(exchange.code_verifier!);
    expect(base64url(createHash('sha256').update(exchange.code_verifier!).digest())).toBe(params['code_challenge']);

    const installation = (await api.request('GET', `/v1/installations/${result['installationId']}`, { token: acme.token })).body
      .installation;
    expect(installation).toMatchObject({
      integrationId: 'oauth-test',
      name: 'Things',
      authMethod: 'oauth2',
      state: 'active',
      settings: {},
      secrets: {},
    });
    expect(installation.oauth.connected).toBe(true);
    expect(installation.oauth.account).toEqual({ id: 'ada', name: 'Ada at the provider' });
    expect(installation.createdBy).toBe(admin.id);
    expect(Date.parse(installation.oauth.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    expect(hooks.blueprintCalls.at(-1)).toEqual({ orgId: acme.orgId, identifiers: ['oauthTestThing'] });
    expect(hooks.resyncs.at(-1)).toEqual({ orgId: acme.orgId, installationId: result['installationId'], reason: 'installed' });

    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, result['installationId']!);
    expect(provider.issued).toContain(await connection.accessToken());

    const [session] = await adminQuery<{ state_hash: string; consumed_at: Date | null; ciphertext: Buffer }>(
      api.db,
      'SELECT state_hash, consumed_at, ciphertext FROM oauth_connect_sessions ORDER BY created_at DESC LIMIT 1',
    );
    expect(session!.state_hash).toBe(createHash('sha256').update(params['state']!).digest('hex'));
    expect(session!.consumed_at).not.toBeNull();

    // The connect cookie was HttpOnly and SameSite, on Mooring's origin, and is gone after the callback.
    expect(browser.cookie(api.baseUrl, 'mooring_session')).toBeDefined();
    expect(started.headers.getSetCookie().join('\n')).toMatch(
      /^mooring_connect_[0-9a-f]{32}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/v1\/oauth; HttpOnly; SameSite=Lax$/m,
    );
    expect(
      [...(browser as any).cookies.get(new URL(api.baseUrl).host).keys()].filter((name: string) =>
        name.startsWith('mooring_connect_'),
      ),
    ).toEqual([]);

    // The callback acts for the person who started connecting, and says so in the audit trail.
    const audit = await api.request('GET', `/v1/audit-log?targetType=installation&targetId=${result['installationId']}`, {
      token: acme.token,
    });
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        action: 'installation.created',
        actor: { kind: 'user', id: admin.id, name: admin.email },
        details: { name: 'Things', integrationId: 'oauth-test', authMethod: 'oauth2' },
        requestId: expect.any(String),
      }),
    ]);
  });

  it('refuses a replayed state without a second exchange or installation', async () => {
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Replayed' });
    const callback = (await fetch(started.body.authorizationUrl, { redirect: 'manual' })).headers.get('location')!;
    expect(outcome((await browser.navigate(callback)).url)).toMatchObject({ status: 'success' });
    const exchanges = provider.count('authorization_code');
    const installations = await installationCount();

    const replay = await browser.navigate(callback);
    expect(outcome(replay.url)).toMatchObject({ status: 'error', error: 'OAUTH_STATE_REUSED' });
    expect(provider.count('authorization_code')).toBe(exchanges);
    expect(await installationCount()).toBe(installations);
  });

  it('fails the exchange when the code_challenge was tampered with: the server checks the PKCE verifier', async () => {
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Tampered' });
    const tampered = new URL(started.body.authorizationUrl);
    tampered.searchParams.set('code_challenge', base64url(createHash('sha256').update('an attacker’s verifier').digest()));
    const issued = provider.issued.length;
    const landed = await browser.navigate(tampered.toString());
    // Mooring sent its real verifier; the server's PKCE check refused it before minting any token.
    expect(outcome(landed.url)).toMatchObject({
      status: 'error',
      error: 'OAUTH_EXCHANGE_FAILED',
      error_description: 'The provider did not accept the authorization code; start connecting again',
    });
    expect(provider.issued).toHaveLength(issued);
    expect(await adminQuery(api.db, "SELECT 1 FROM installations WHERE name = 'Tampered'")).toEqual([]);
  });

  it('returns access_denied, an expired state and a revoked starter as coded errors', async () => {
    const denied = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Denied' });
    provider['server'].service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
      redirect.url.searchParams.delete('code');
      redirect.url.searchParams.set('error', 'access_denied');
    });
    expect(outcome((await browser.navigate(denied.body.authorizationUrl)).url)).toMatchObject({
      status: 'error',
      error: 'OAUTH_ACCESS_DENIED',
    });

    const expired = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Expired' });
    await adminQuery(api.db, "UPDATE oauth_connect_sessions SET expires_at = now() - interval '1 second' WHERE name = 'Expired'");
    expect(outcome((await browser.navigate(expired.body.authorizationUrl)).url)).toMatchObject({
      status: 'error',
      error: 'OAUTH_STATE_EXPIRED',
    });

    const connector = await api.createUser(acme.orgId, 'con@acme.test', 'admin');
    const connectorTab = await signedIn(connector);
    const demotedLater = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Revoked' }, connectorTab);
    await api.request('PATCH', `/v1/organization/users/${connector.id}`, { token: acme.token, body: { role: 'member' } });
    expect(outcome((await connectorTab.navigate(demotedLater.body.authorizationUrl)).url)).toMatchObject({
      status: 'error',
      error: 'FORBIDDEN',
    });
    expect(await adminQuery(api.db, "SELECT 1 FROM installations WHERE name IN ('Denied', 'Expired', 'Revoked')")).toEqual([]);
  });

  it('answers a forged or missing state with a JSON 400, having nowhere safe to redirect', async () => {
    for (const query of ['?code=abc&state=forged', '?code=abc']) {
      const response = await api.fetch(`/v1/oauth/callback${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('OAUTH_STATE_INVALID');
    }
  });

  it('validates the connect request: allow-listed return URL, OAuth client, settings, role', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ integrationId: 'oauth-test', returnUrl: 'https://evil.example/steal' }, 400, 'returnUrl'],
      [{ integrationId: 'oauth-test', returnUrl: `${webApp.origin}.evil.example/x` }, 400, 'returnUrl'],
      [{ integrationId: 'nope', returnUrl }, 400, 'integrationId'],
      [{ integrationId: 'oauth-test', returnUrl, name: 'Things' }, 409, 'name'],
      [{ integrationId: 'github', returnUrl, settings: { token: 'ghp_x' } }, 400, 'settings'],
      [{ integrationId: 'github', returnUrl }, 400, 'oauthClient'],
      [{ integrationId: 'github', returnUrl, settings: { host: webApp.origin } }, 400, 'oauthClient'],
      [
        { integrationId: 'github', returnUrl, settings: { host: 'https://169.254.169.254' }, oauthClient: provider.client },
        422,
        'settings.host',
      ],
    ];
    for (const [body, status, field] of cases) {
      const response = await connect(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(response.body.error.details)).toContain(`"${field}`);
    }
    // The console's own origin is always a valid return origin, without configuration.
    const own = await connect({ integrationId: 'oauth-test', returnUrl: `${api.baseUrl}/connect/return`, name: 'Own origin' });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const member = await api.createUser(acme.orgId, 'mem@acme.test', 'member');
    expect((await connect({ integrationId: 'oauth-test', returnUrl }, await signedIn(member))).status).toBe(403);
  });

  it('builds GitHub Enterprise authorization URLs on the org’s host with its own OAuth app', async () => {
    const response = await connect({
      integrationId: 'github',
      returnUrl,
      name: 'GHE via OAuth',
      settings: { host: webApp.origin, organization: 'acme-corp' },
      oauthClient: { clientId: 'Iv1.ghe-app', clientSecret: 'ghe-app-client-secret' },
    });
    expect(response.status).toBe(201);
    const url = new URL(response.body.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${webApp.origin}/login/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'Iv1.ghe-app',
      scope: 'repo read:org',
      allow_signup: 'false',
      code_challenge_method: 'S256',
      redirect_uri: redirectUri,
    });
    expect(JSON.stringify(response.body)).not.toContain('ghe-app-client-secret');
  });

  it('reconnects an installation that needs re-authorization, keeping its id', async () => {
    const [row] = await adminQuery<{ id: string }>(api.db, "SELECT id FROM installations WHERE name = 'Things'");
    const id = row!.id;
    // As the lifecycle leaves it after a refused refresh: needs_reauth, schedule paused.
    await adminQuery(api.db, "UPDATE installations SET state = 'needs_reauth', state_reason = 'refresh refused' WHERE id = $1", [
      id,
    ]);
    await api.app.get(ScheduleRegistry).unregister(id);
    const refused = await connect({ integrationId: 'oauth-test', returnUrl, installationId: id, name: 'Renamed' });
    expect(refused.status).toBe(400);
    const started = await connect({ integrationId: 'oauth-test', returnUrl, installationId: id });
    expect(started.status).toBe(201);
    expect(outcome((await browser.navigate(started.body.authorizationUrl)).url)).toMatchObject({
      status: 'success',
      installationId: id,
    });
    const installation = (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation;
    expect(installation).toMatchObject({ state: 'active', stateReason: null, name: 'Things' });
    expect(hooks.resyncs.at(-1)).toEqual({ orgId: acme.orgId, installationId: id, reason: 'credentials_rotated' });
    expect(await api.app.get(ScheduleRegistry).nextRunAt(id)).not.toBeNull();
    const audit = await api.request('GET', `/v1/audit-log?action=installation.credentials_rotated&targetId=${id}`, {
      token: acme.token,
    });
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        actor: { kind: 'user', id: admin.id, name: admin.email },
        details: { name: 'Things', credentialKind: 'oauth2', previousState: 'needs_reauth' },
      }),
    ]);
  });

  it('reconnects a GitHub Enterprise installation with the OAuth app it was connected with', async () => {
    const id = randomUUID();
    const ownApp = { clientId: 'Iv1.stored-app', clientSecret: 'stored-app-client-secret' };
    const sealed = await api.app.get(CredentialStore).seal(acme.orgId, id, {
      kind: 'oauth2',
      accessToken: 'gho_revoked_token_0123456789',
      refreshToken: null,
      scope: 'repo,read:org',
      obtainedAt: new Date().toISOString(),
      expiresAt: null,
      client: ownApp,
    });
    await api.app.get(InstallationRepository).createWithCredential(
      acme.orgId,
      {
        id,
        integrationId: 'github',
        name: 'GHE OAuth',
        authMethod: 'oauth2',
        mapping: { resources: [] },
        settings: { host: webApp.origin },
      },
      sealed,
    );
    const response = await connect({ integrationId: 'github', returnUrl, installationId: id });
    expect(response.status).toBe(201);
    const url = new URL(response.body.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${webApp.origin}/login/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe(ownApp.clientId);
  });

  it('refuses an OAuth connection started by an API client: the flow belongs to a person in a browser', async () => {
    const response = await api.request('POST', '/v1/oauth/connect', {
      token: acme.token,
      body: { integrationId: 'oauth-test', returnUrl },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.details).toEqual({ reason: 'person_required' });
  });

  it('binds a connection to the browser and the person that started it: finishing it anywhere else connects nothing', async () => {
    // An admin of another organization (the attacker) starts connecting in their own browser…
    const globex = await api.createOrganization('globex');
    await api.request('PATCH', '/v1/organization', { token: globex.token, body: { allowHttpHosts: true } });
    const mallory = await api.createUser(globex.orgId, 'mallory@globex.test', 'admin');
    const malloryTab = await signedIn(mallory);
    const planted = async (victim: HeadlessBrowser, name: string) => {
      const started = await connect({ integrationId: 'oauth-test', returnUrl, name }, malloryTab);
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      // …and gets someone already authorized at the provider (no consent page) to open the URL.
      const landed = await victim.navigate(started.body.authorizationUrl);
      expect(landed.body).toContain('Back in the web app');
      return outcome(landed.url);
    };
    const exchanges = provider.count('authorization_code');
    const issued = provider.issued.length;

    expect(await planted(new HeadlessBrowser(), 'Planted in a fresh browser')).toMatchObject({
      status: 'error',
      error: 'OAUTH_BROWSER_MISMATCH',
    });
    // A victim signed in to Mooring (acme's admin) is no different: the cookie is not theirs.
    expect(await planted(browser, 'Planted in a signed-in browser')).toMatchObject({
      status: 'error',
      error: 'OAUTH_BROWSER_MISMATCH',
    });
    expect(provider.count('authorization_code')).toBe(exchanges);
    expect(provider.issued).toHaveLength(issued);
    expect(await adminQuery(api.db, `SELECT name FROM installations WHERE org_id = '${globex.orgId}'`)).toEqual([]);

    // The right browser with someone else signed in by then is refused too.
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Switched person' }, malloryTab);
    await malloryTab.send('POST', `${api.baseUrl}/v1/auth/sign-out`);
    const trent = await api.createUser(globex.orgId, 'trent@globex.test', 'admin');
    await malloryTab.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: trent.email, password: trent.password });
    const switched = outcome((await malloryTab.navigate(started.body.authorizationUrl)).url);
    expect(switched).toMatchObject({ status: 'error', error: 'OAUTH_BROWSER_MISMATCH' });
    expect(switched['error_description']).toContain('started by someone else');
    expect(provider.count('authorization_code')).toBe(exchanges);
  });

  it('asks before a reconnect brings another provider account, and applies it only when the same person confirms', async () => {
    const [row] = await adminQuery<{ id: string }>(api.db, "SELECT id FROM installations WHERE name = 'Things'");
    const id = row!.id;
    const credentialsUpdatedAt = async () =>
      (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation.credentialsUpdatedAt;
    const before = await credentialsUpdatedAt();
    provider.account = { sub: 'bob', name: 'Bob at the provider' };
    try {
      const started = await connect({ integrationId: 'oauth-test', returnUrl, installationId: id });
      const landed = outcome((await browser.navigate(started.body.authorizationUrl)).url);
      expect(landed).toMatchObject({
        status: 'confirm',
        error: 'OAUTH_ACCOUNT_CHANGED',
        connectSessionId: expect.any(String),
        installationId: id,
        account: 'Bob at the provider',
        previousAccount: 'Ada at the provider',
      });
      const confirmPath = `/v1/oauth/connect/${landed['connectSessionId']}/confirm`;
      const described = await browser.send('GET', `${api.baseUrl}/v1/oauth/connect/${landed['connectSessionId']}`);
      expect(described.body.connectSession).toMatchObject({
        installation: { id, name: 'Things', account: { id: 'ada', name: 'Ada at the provider' } },
        proposedAccount: { id: 'bob', name: 'Bob at the provider' },
        status: 'awaiting_confirmation',
      });
      // Nothing changed yet.
      const waiting = (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation;
      expect(waiting.oauth.account).toEqual({ id: 'ada', name: 'Ada at the provider' });
      expect(await credentialsUpdatedAt()).toBe(before);

      // Another admin of the organization, or an API client, cannot confirm it.
      const colleague = await signedIn(await api.createUser(acme.orgId, 'col@acme.test', 'admin'));
      const byColleague = await colleague.send('POST', `${api.baseUrl}${confirmPath}`);
      expect(byColleague.status).toBe(403);
      expect(byColleague.body.error.code).toBe('OAUTH_BROWSER_MISMATCH');
      expect((await api.request('POST', confirmPath, { token: acme.token })).status).toBe(403);

      const confirmed = await browser.send('POST', `${api.baseUrl}${confirmPath}`);
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(confirmed.body.installation.oauth.account).toEqual({ id: 'bob', name: 'Bob at the provider' });
      expect(await credentialsUpdatedAt()).not.toBe(before);
      const again = await browser.send('POST', `${api.baseUrl}${confirmPath}`);
      expect(again.body.error.code).toBe('OAUTH_STATE_REUSED');

      const audit = await api.request('GET', `/v1/audit-log?action=installation.account_changed&targetId=${id}`, {
        token: acme.token,
      });
      expect(audit.body.events).toEqual([
        expect.objectContaining({
          actor: { kind: 'user', id: admin.id, name: admin.email },
          details: {
            name: 'Things',
            from: { id: 'ada', name: 'Ada at the provider' },
            to: { id: 'bob', name: 'Bob at the provider' },
          },
        }),
      ]);

      // Reconnecting the same account again needs no confirmation.
      const same = await connect({ integrationId: 'oauth-test', returnUrl, installationId: id });
      expect(outcome((await browser.navigate(same.body.authorizationUrl)).url)).toMatchObject({
        status: 'success',
        installationId: id,
      });
    } finally {
      provider.account = { sub: 'ada', name: 'Ada at the provider' };
    }
  });

  it('treats a code exchange refused with HTTP 200 and an error body (github.com) as a refusal, in our words only', async () => {
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Refused with 200' });
    provider.refusalStatus = 200;
    provider.failNextCode = 'bad_verification_code';
    try {
      const landed = await browser.navigate(started.body.authorizationUrl);
      const result = outcome(landed.url);
      expect(result).toEqual({
        from: 'mooring',
        status: 'error',
        error: 'OAUTH_EXCHANGE_FAILED',
        error_description: 'The provider did not accept the authorization code; start connecting again',
      });
      expect(landed.url).not.toContain('bad_verification_code');
      expect(landed.url).not.toContain('test%20provider');
    } finally {
      provider.refusalStatus = 400;
    }
    expect(await adminQuery(api.db, "SELECT 1 FROM installations WHERE name = 'Refused with 200'")).toEqual([]);
  });

  it('never echoes the provider’s error text into the return URL: its error maps to our codes', async () => {
    const started = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Provider error' });
    provider['server'].service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
      redirect.url.searchParams.delete('code');
      redirect.url.searchParams.set('error', '<script>alert(1)</script>');
      redirect.url.searchParams.set('error_description', 'Call +1 555 0100 to restore your account');
    });
    const landed = await browser.navigate(started.body.authorizationUrl);
    expect(outcome(landed.url)).toEqual({
      from: 'mooring',
      status: 'error',
      error: 'OAUTH_EXCHANGE_FAILED',
      error_description: 'The provider did not authorize the connection; start connecting again',
    });
    expect(decodeURIComponent(landed.url)).not.toMatch(/alert|555/);
  });

  it('checks the iss of an authorization response (RFC 9207): another issuer’s code is never exchanged', async () => {
    const named = (iss: string) =>
      provider['server'].service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
        redirect.url.searchParams.set('iss', iss);
      });
    const honest = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Right issuer' });
    named(provider.issuer);
    expect(outcome((await browser.navigate(honest.body.authorizationUrl)).url)).toMatchObject({ status: 'success' });

    const mixedUp = await connect({ integrationId: 'oauth-test', returnUrl, name: 'Other issuer' });
    named('https://attacker.example');
    const exchanges = provider.count('authorization_code');
    expect(outcome((await browser.navigate(mixedUp.body.authorizationUrl)).url)).toMatchObject({
      status: 'error',
      error: 'OAUTH_ISSUER_MISMATCH',
    });
    expect(provider.count('authorization_code')).toBe(exchanges);
    expect(await adminQuery(api.db, "SELECT 1 FROM installations WHERE name = 'Other issuer'")).toEqual([]);
  });

  it('never let a token, verifier or client secret reach a log line, a response, a job payload or a column in clear', async () => {
    verifiers.push(...provider.tokenRequests.map((request) => request.code_verifier).filter((v): v is string => !!v));
    const secrets = [
      ...provider.issued,
      ...verifiers,
      provider.client.clientSecret,
      'ghe-app-client-secret',
      'stored-app-client-secret',
      'gho_revoked_token_0123456789',
    ];
    expect(provider.issued.length).toBeGreaterThanOrEqual(6);
    const leaks = await findSecretLeaks(secrets, {
      logs: api.logs,
      responses: [...api.responses, ...browser.transcript],
      redis: api.redis,
      database: api.db,
    });
    expect(leaks).toEqual([]);
  });
});
