import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { INTEGRATIONS, IntegrationRegistry, pageItems } from '@mooring/integrations';
import { FakePagerduty, FakePagerdutyIdentity, LoopbackServer, pagerdutyOnFakes } from '@mooring/integrations/testing';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { HeadlessBrowser } from '../support/headless-browser.js';
import { RecordingHooks } from '../support/recording-hooks.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// A PagerDuty OAuth install takes its service region from the ID token PagerDuty's token endpoint
// returns (`aud` names the region's API root), not from what the person picked: the api runs the
// connect flow against the fake identity service (identity.pagerduty.com's role), whose tokens only
// the signed-in account's regional fake API accepts. An EU account's installation then calls the
// EU root, also after its token is refreshed (the refresh answer has no ID token); without an ID
// token the chosen region stays; a garbage ID token or an unknown region connects nothing.

describe('PagerDuty OAuth: the service region from the ID token', () => {
  let api: TestApi;
  let identity: FakePagerdutyIdentity;
  let us: FakePagerduty;
  let eu: FakePagerduty;
  let webApp: LoopbackServer;
  let hooks!: RecordingHooks;
  let acme: TestOrganization;
  let browser: HeadlessBrowser;
  let returnUrl: string;

  /** Connects as the person signed in, at PagerDuty as `account`; the outcome the web app receives. */
  const connect = async (name: string, settings: Record<string, string> | undefined) => {
    const started = await browser.send('POST', `${api.baseUrl}/v1/oauth/connect`, {
      integrationId: 'pagerduty',
      returnUrl,
      name,
      ...(settings ? { settings } : {}),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(new URL(started.body.authorizationUrl).searchParams.get('scope')?.split(' ')).toContain('openid');
    const landed = await browser.navigate(started.body.authorizationUrl);
    return Object.fromEntries(new URL(landed.url).searchParams);
  };
  const installation = async (id: string) =>
    (await api.request('GET', `/v1/installations/${id}`, { token: acme.token })).body.installation as {
      settings: Record<string, string>;
      state: string;
    };
  const requestsSince = (fake: FakePagerduty, count: number) => fake.requests.slice(count).map((r) => r.url.split('?')[0]);
  const services = async (installationId: string) => {
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installationId);
    const kind = api.app.get(IntegrationRegistry).get('pagerduty').kinds['service']!;
    const items = [];
    for await (const page of kind.extract(connection, {})) items.push(...pageItems(page));
    return { items, token: await connection.accessToken() };
  };

  beforeAll(async () => {
    identity = await FakePagerdutyIdentity.start();
    us = await FakePagerduty.start({ shape: { services: 2 } });
    eu = await FakePagerduty.start({ shape: { services: 3 } });
    webApp = await LoopbackServer.start((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Back in the web app</p>');
    });
    const port = await freePort();
    returnUrl = `${webApp.origin}/integrations/done`;
    api = await TestApi.start(
      {
        API_PORT: String(port),
        UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
        OAUTH_CLIENTS: JSON.stringify({ pagerduty: identity.client }),
        OAUTH_REDIRECT_URL: `http://127.0.0.1:${port}/v1/oauth/callback`,
        OAUTH_RETURN_URL_ORIGINS: webApp.origin,
      },
      ({ redis }) => {
        hooks = new RecordingHooks(redis);
        return {
          ports: hooks.ports(),
          integrations: new IntegrationRegistry([
            pagerdutyOnFakes(identity.origin, { us: us.apiUrl, eu: eu.apiUrl }),
            ...INTEGRATIONS.filter((integration) => integration.id !== 'pagerduty'),
          ]),
        };
      },
    );
    acme = await api.createOrganization('acme');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
    const admin = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    browser = new HeadlessBrowser();
    const signIn = await browser.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: admin.email, password: admin.password });
    expect(signIn.status).toBe(200);
  });

  afterAll(async () => {
    await hooks?.close();
    await api?.close();
    await Promise.all([identity?.close(), us?.close(), eu?.close(), webApp?.close()]);
  });

  it('installs an EU account on the EU root whatever region was picked, and keeps it through a refresh', async () => {
    identity.account = { api: eu, region: 'eu', subdomain: 'harbor-eu' };
    // Short-lived tokens, so the next use refreshes.
    identity.accessTokenLifetime = 2;
    const [usBefore, euBefore] = [us.requests.length, eu.requests.length];
    const outcome = await connect('PagerDuty EU', { region: 'us' });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'success', installationId: expect.any(String) });
    const id = outcome['installationId']!;
    expect(await installation(id)).toMatchObject({ settings: { region: 'eu' }, state: 'active' });
    // The credential check went to the EU account; the US root was never called.
    expect(requestsSince(eu, euBefore)).toEqual(['/abilities', '/users/me']);
    expect(requestsSince(us, usBefore)).toEqual([]);

    await sleep(1_200);
    const refreshes = identity.tokenRequests.filter((r) => r['grant_type'] === 'refresh_token').length;
    const { items, token } = await services(id);
    expect(identity.tokenRequests.filter((r) => r['grant_type'] === 'refresh_token')).toHaveLength(refreshes + 1);
    expect(items.map((service) => service['id']).sort()).toEqual([...eu.services.keys()].sort());
    expect(eu.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${token}`);
    expect(requestsSince(us, usBefore)).toEqual([]);
    expect((await installation(id)).settings).toEqual({ region: 'eu' });
    identity.accessTokenLifetime = 86_400;
  });

  it('installs a US account on the US root, even when EU was picked', async () => {
    identity.account = { api: us, region: 'us', subdomain: 'harbor' };
    const outcome = await connect('PagerDuty US', { region: 'eu' });
    expect(outcome).toMatchObject({ status: 'success' });
    expect((await installation(outcome['installationId']!)).settings).toEqual({ region: 'us' });
    const { items } = await services(outcome['installationId']!);
    expect(items).toHaveLength(us.services.size);
  });

  it('keeps the region picked at connect when the token response has no ID token', async () => {
    identity.account = { api: eu, region: 'eu', subdomain: 'harbor-eu', idToken: 'none' };
    const outcome = await connect('PagerDuty EU picked', { region: 'eu' });
    expect(outcome).toMatchObject({ status: 'success' });
    expect((await installation(outcome['installationId']!)).settings).toEqual({ region: 'eu' });
    // Picked nothing: the US default, where this EU account's token is refused; nothing is installed.
    const unpicked = await connect('PagerDuty EU unpicked', undefined);
    expect(unpicked).toMatchObject({ status: 'error', error: 'CREDENTIALS_INVALID' });
    expect(await adminQuery(api.db, "SELECT 1 FROM installations WHERE name = 'PagerDuty EU unpicked'")).toEqual([]);
  });

  it('connects nothing when the ID token is garbage or names an unknown region', async () => {
    const claims = FakePagerdutyIdentity.claims({ region: 'eu', subdomain: 'harbor-eu' }, identity.client.clientId);
    const cases: Array<[string, string, RegExp]> = [
      ['garbage', 'not-a-jwt', /ID token is not a JWT/],
      [
        'another client',
        FakePagerdutyIdentity.idToken({ ...claims, aud: ['https://api.eu.pagerduty.com', 'x'] }),
        /another OAuth client/,
      ],
      [
        'unknown region',
        FakePagerdutyIdentity.idToken({ ...claims, aud: ['https://api.apac.pagerduty.com', identity.client.clientId] }),
        /service region Mooring does not know \(https:\/\/api\.apac\.pagerduty\.com\)/,
      ],
    ];
    for (const [name, raw, description] of cases) {
      identity.account = { api: eu, region: 'eu', subdomain: 'harbor-eu', idToken: { raw } };
      const euBefore = eu.requests.length;
      const outcome = await connect(`PagerDuty ${name}`, { region: 'eu' });
      expect(outcome, name).toMatchObject({ status: 'error', error: 'OAUTH_EXCHANGE_FAILED' });
      expect(outcome['error_description'], name).toMatch(description);
      // Refused before the tokens were used or anything saved.
      expect(eu.requests.length, name).toBe(euBefore);
      expect(await adminQuery(api.db, 'SELECT 1 FROM installations WHERE name = $1', [`PagerDuty ${name}`])).toEqual([]);
    }
  });
});
