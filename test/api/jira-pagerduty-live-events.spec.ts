import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore, type CredentialPayload } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeJira, FakePagerduty } from '@mooring/integrations/testing';
import { HookRegistrations, type LiveEventApplier, type LiveEventWorker } from '@mooring/live-events';
import { BlueprintRepository, InstallationRepository } from '@mooring/persistence';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier, liveEventWorker } from '../support/live-event-runtime.js';
import { catalogOf, entityOf, expectResyncAgrees, resyncInProcess } from '../support/resync-in-process.js';

// Jira and PagerDuty live events end to end, in one process: the fake tool sends its deliveries,
// signed as the vendor signs them, to the api's edge (`POST /v1/hooks/:hookId`); the worker's
// applier (run here) writes them through the installation's default mapping. After the events
// the next resync must find nothing to change, and a forged delivery is refused with nothing written.
// - Jira, token install: an admin webhook with the installation's secret (`X-Hub-Signature`);
// - Jira, OAuth install: a dynamic webhook whose JWT is signed with the platform's OAuth client
//   secret (OAUTH_CLIENTS), which the edge hands to `verify` in place of the hook's;
// - Jira, OAuth install with the organization's own OAuth app (the sealed `oauthClient`): its
//   deliveries are signed with that app's secret, which the hook keeps sealed; the platform's is refused;
// - PagerDuty: a v3 subscription whose secret PagerDuty generated, several `v1=` signatures during
//   PagerDuty's rotation.

interface Installed {
  readonly org: TestOrganization;
  readonly installationId: string;
}

describe('Jira and PagerDuty live events, end to end', () => {
  let jiraFake: FakeJira;
  let pdFake: FakePagerduty;
  let api: TestApi;
  let applier: LiveEventApplier;
  let worker: LiveEventWorker;
  const EMAIL = 'admin@harbor.example';
  const JIRA_TOKEN = 'ATATT-live-admin-token';
  const JIRA_OAUTH = 'jira-oauth-live-access-token';
  const PD_KEY = 'u+pdLiveEventsKey0123';

  const sync = ({ org, installationId }: Installed) => resyncInProcess(api, org, installationId);
  const apply = ({ org, installationId }: Installed) => applier.drain(org.orgId, installationId, new AbortController().signal);
  const entity = ({ org }: Installed, blueprint: string, identifier: string) => entityOf(api, org, blueprint, identifier);
  const catalog = ({ org }: Installed) => catalogOf(api, org);
  const log = async ({ org, installationId }: Installed, limit: number) =>
    (await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=${limit}`, { token: org.token })).body
      .entries as Array<{ status: string; reason: string | null; changes: Array<{ kind: string; result: string }> }>;
  const one = async (answers: Promise<Response[]>) => {
    const all = await answers;
    expect(all).toHaveLength(1);
    return { status: all[0]!.status, body: (await all[0]!.json()) as Record<string, any> };
  };

  /**
   * An installation as the connect flow leaves it (default blueprints, mapping, sealed credential,
   * its hook registered with the tool): OAuth installs and the fakes' API roots (settings that are
   * no form field) cannot come through `POST /v1/installations`.
   */
  const install = async (
    integrationId: 'jira' | 'pagerduty',
    authMethod: 'oauth2' | 'custom_settings',
    settings: Record<string, string>,
    credential: CredentialPayload,
  ): Promise<Installed> => {
    const org = await api.createOrganization(`${integrationId}-${authMethod}-${randomUUID().slice(0, 8)}`);
    await api.request('PATCH', '/v1/organization', { token: org.token, body: { allowHttpHosts: true } });
    const integration = api.app.get(IntegrationRegistry).get(integrationId);
    const blueprints = api.app.get(BlueprintRepository);
    for (const blueprint of integration.defaultBlueprints) {
      await blueprints.create(org.orgId, {
        ...blueprint,
        schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
        relations: blueprint.relations ?? {},
      });
    }
    const installationId = randomUUID();
    const sealed = await api.app.get(CredentialStore).seal(org.orgId, installationId, credential);
    await api.app
      .get(InstallationRepository)
      .createWithCredential(
        org.orgId,
        { id: installationId, integrationId, name: integration.title, authMethod, mapping: integration.defaultMapping, settings },
        sealed,
      );
    await api.app.get(HookRegistrations).installed(org.orgId, installationId, integrationId);
    await worker.handleLiveEvent('register', { orgId: org.orgId, installationId }, new AbortController().signal);
    const live = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: org.token });
    expect(live.body.hook, JSON.stringify(live.body)).toMatchObject({ status: 'on', statusReason: null });
    const installed = { org, installationId };
    expect((await sync(installed)).status).toBe('completed');
    return installed;
  };

  beforeAll(async () => {
    jiraFake = await FakeJira.start({ shape: { projects: 2, issues: 12 } });
    jiraFake.addApiToken(EMAIL, JIRA_TOKEN);
    jiraFake.addOAuthToken(JIRA_OAUTH);
    pdFake = await FakePagerduty.start();
    pdFake.addApiKey(PD_KEY);
    const port = await freePort();
    api = await TestApi.start({
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      API_PORT: String(port),
      PUBLIC_API_URL: `http://127.0.0.1:${port}`,
      // The platform's Atlassian OAuth app: its secret signs dynamic-webhook deliveries.
      OAUTH_CLIENTS: JSON.stringify({ jira: { clientId: 'mooring-jira', clientSecret: jiraFake.clientSecret } }),
    });
    applier = liveEventApplier(api);
    worker = liveEventWorker(api, applier);
  });

  afterAll(async () => {
    await api?.close();
    await jiraFake?.close();
    await pdFake?.close();
  });

  describe('Jira, token install: an admin webhook signed with the installation’s secret', () => {
    let jira: Installed;
    const issue = () => [...jiraFake.issues.values()][0]!;

    beforeAll(async () => {
      jira = await install(
        'jira',
        'custom_settings',
        { siteUrl: jiraFake.siteUrl, email: EMAIL },
        { kind: 'settings', secrets: { token: JIRA_TOKEN } },
      );
    });

    it('registered an admin webhook with the hook’s own secret, never shown', async () => {
      expect(jiraFake.adminWebhooks.size).toBe(1);
      const [hook] = [...jiraFake.adminWebhooks.values()];
      expect(hook!.secret).toHaveLength(43);
      const live = await api.request('GET', `/v1/installations/${jira.installationId}/live-events`, { token: jira.org.token });
      expect(hook!.url).toBe(live.body.hook.hookUrl);
      expect(JSON.stringify(live.body)).not.toContain(hook!.secret);
    });

    it('refuses a forged or unsigned delivery, writing nothing', async () => {
      const before = await catalog(jira);
      const summary = issue()['fields']['summary'];
      issue()['fields']['summary'] = 'Forged summary';
      const forged = await one(jiraFake.deliver('jira:issue_updated', { issue: { id: issue()['id'] } }, { forge: true }));
      expect(forged.status).toBe(401);
      expect(forged.body['error']).toMatchObject({ code: 'WEBHOOK_REFUSED', details: { reason: 'bad_signature' } });
      // The platform's OAuth client secret signs nothing for a token install.
      const jwt = FakeJira.jwt({ exp: Math.floor(Date.now() / 1000) + 300 }, jiraFake.clientSecret);
      const hookUrl = [...jiraFake.adminWebhooks.values()][0]!.url;
      const asOAuth = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
        body: JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: issue()['id'] } }),
      });
      expect(asOAuth.status).toBe(401);
      const unsigned = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: issue()['id'] } }),
      });
      expect(((await unsigned.json()) as Record<string, any>)['error']['details']['reason']).toBe('missing_signature');
      await apply(jira);
      expect(await catalog(jira)).toEqual(before);
      expect((await log(jira, 3)).map((e) => [e.status, e.reason])).toEqual([
        ['refused', 'missing_signature'],
        ['refused', 'bad_signature'],
        ['refused', 'bad_signature'],
      ]);
      issue()['fields']['summary'] = summary;
    });

    it('applies issue, project, release and sprint events as the next resync would', async () => {
      const project = jiraFake.projects[0]!;
      const version = jiraFake.versions.get(project['key'])![0]!;
      const sprint = [...jiraFake.sprints.values()].find((sprints) => sprints.length > 0)![0]!;
      issue()['fields']['summary'] = 'Checkout times out under load';
      project['name'] = 'Payments (renamed)';
      version['name'] = `${version['name']} (hotfix)`;
      sprint['name'] = `${sprint['name']} (extended)`;
      const events: Array<[string, Record<string, unknown>]> = [
        ['jira:issue_updated', { issue: { id: issue()['id'], key: issue()['key'] } }],
        ['project_updated', { project: { id: Number(project['id']), key: project['key'] } }],
        ['jira:version_updated', { version: { id: version['id'], name: version['name'] } }],
        ['sprint_updated', { sprint: { id: sprint['id'], name: sprint['name'] } }],
      ];
      for (const [event, payload] of events) expect((await one(jiraFake.deliver(event, payload))).status, event).toBe(202);
      await apply(jira);

      expect((await entity(jira, 'jiraIssue', issue()['key']))?.title).toBe('Checkout times out under load');
      expect((await entity(jira, 'jiraProject', project['key']))?.title).toBe('Payments (renamed)');
      expect((await entity(jira, 'jiraRelease', String(version['id'])))?.title).toBe(version['name']);
      expect((await entity(jira, 'jiraSprint', String(sprint['id'])))?.title).toBe(sprint['name']);
      const entries = await log(jira, 4);
      expect(
        entries.map((e) => e.status),
        JSON.stringify(entries),
      ).toEqual(['applied', 'applied', 'applied', 'applied']);
      await expectResyncAgrees(api, jira.org, jira.installationId);
    });

    it('writes an issue created a moment ago; a resync whose search does not list it yet defers it, deleting nothing', async () => {
      const created = jiraFake.createIssue(jiraFake.projects[1]!['key'], 'Created live');
      expect(
        (await one(jiraFake.deliver('jira:issue_created', { issue: { id: created['id'], key: created['key'] } }))).status,
      ).toBe(202);
      await apply(jira);
      expect((await entity(jira, 'jiraIssue', created['key']))?.title).toBe('Created live');

      // Jira's search has not indexed it yet: the resync does not list it, and must not delete it.
      const lagging = await sync(jira);
      expect(lagging.status).toBe('completed');
      expect(lagging.deleted).toBe(0);
      expect(lagging.deletionDecision).toBe('nothing_to_delete');
      expect(lagging.deletionReason).toMatch(/1 written within the tool's listing lag, deferred/);
      expect(lagging.deletionDetails).toMatchObject({
        deferred: 1,
        blueprints: expect.arrayContaining([expect.objectContaining({ blueprint: 'jiraIssue', toDelete: 0, deferred: 1 })]),
      });
      expect((await entity(jira, 'jiraIssue', created['key']))?.title).toBe('Created live');

      jiraFake.index();
      await expectResyncAgrees(api, jira.org, jira.installationId);
    });

    it('deletes an issue only once Jira reads it as gone', async () => {
      const doomed = [...jiraFake.issues.values()][3]!;
      await one(jiraFake.deliver('jira:issue_deleted', { issue: { id: doomed['id'], key: doomed['key'] } }));
      await apply(jira);
      expect(await entity(jira, 'jiraIssue', doomed['key'])).toBeDefined();
      expect((await log(jira, 1))[0]!.changes).toEqual([expect.objectContaining({ kind: 'issue', result: 'kept_exists' })]);

      jiraFake.issues.delete(doomed['id']);
      await one(jiraFake.deliver('jira:issue_deleted', { issue: { id: doomed['id'], key: doomed['key'] } }));
      await apply(jira);
      expect(await entity(jira, 'jiraIssue', doomed['key'])).toBeUndefined();
      await expectResyncAgrees(api, jira.org, jira.installationId);
    });
  });

  describe('Jira, OAuth install: dynamic webhooks signed with the platform’s OAuth client secret', () => {
    let jira: Installed;

    beforeAll(async () => {
      jira = await install(
        'jira',
        'oauth2',
        { atlassianApiUrl: jiraFake.gatewayUrl },
        {
          kind: 'oauth2',
          accessToken: JIRA_OAUTH,
          refreshToken: 'jira-oauth-refresh',
          scope: 'read:jira-work manage:jira-webhook offline_access',
          obtainedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          client: null,
        },
      );
    });

    it('registered a dynamic webhook that expires, with the expiry kept for renewal', async () => {
      expect(jiraFake.dynamicWebhooks.size).toBe(1);
      const [hook] = [...jiraFake.dynamicWebhooks.values()];
      const stored = await adminQuery<{ expires_at: Date | null }>(
        api.db,
        'SELECT expires_at FROM installation_hooks WHERE installation_id = $1',
        [jira.installationId],
      );
      expect(stored[0]?.expires_at?.getTime()).toBe(hook!.expiresAt);
    });

    it('verifies the JWT with the platform’s client secret and applies the issue as the next resync would', async () => {
      const issue = [...jiraFake.issues.values()][5]!;
      issue['fields']['summary'] = 'Renamed through a dynamic webhook';
      // Both webhooks (this one and the token install's admin webhook) follow issue events.
      const answers = await jiraFake.deliver('jira:issue_updated', { issue: { id: issue['id'], key: issue['key'] } });
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      await apply(jira);
      expect((await entity(jira, 'jiraIssue', issue['key']))?.title).toBe('Renamed through a dynamic webhook');
      expect((await log(jira, 1)).map((e) => e.status)).toEqual(['applied']);
      await expectResyncAgrees(api, jira.org, jira.installationId);
    });

    it('refuses a JWT not signed with the client secret, or signed with the hook’s own secret, writing nothing', async () => {
      const issue = [...jiraFake.issues.values()][6]!;
      const before = await catalog(jira);
      const summary = issue['fields']['summary'];
      issue['fields']['summary'] = 'Forged through a dynamic webhook';
      const answers = await jiraFake.deliver('jira:issue_updated', { issue: { id: issue['id'] } }, { forge: true });
      expect(answers.map((a) => a.status)).toEqual([401, 401]);
      const hookUrl = [...jiraFake.dynamicWebhooks.values()][0]!.url;
      const live = await api.request('GET', `/v1/installations/${jira.installationId}/live-events`, { token: jira.org.token });
      expect(hookUrl).toBe(live.body.hook.hookUrl);
      // An expired JWT with the right secret, and one signed with anything but the client secret.
      const expired = FakeJira.jwt({ exp: Math.floor(Date.now() / 1000) - 3_600 }, jiraFake.clientSecret);
      const body = JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: issue['id'] } });
      for (const jwt of [expired, FakeJira.jwt({}, 'a-guessed-secret')]) {
        const answer = await fetch(hookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
          body,
        });
        expect(answer.status).toBe(401);
      }
      await apply(jira);
      expect(await catalog(jira)).toEqual(before);
      expect((await log(jira, 3)).map((e) => [e.status, e.reason])).toEqual(Array(3).fill(['refused', 'bad_signature']));
      issue['fields']['summary'] = summary;
    });
  });

  describe('Jira, OAuth install with the organization’s own OAuth app: signed with that app’s secret', () => {
    let jira: Installed;
    const OWN_TOKEN = 'jira-own-app-access-token';
    const OWN_SECRET = 'own-atlassian-app-secret-7f3a9c2e1b';
    const hookUrl = async () =>
      (await api.request('GET', `/v1/installations/${jira.installationId}/live-events`, { token: jira.org.token })).body.hook
        .hookUrl as string;
    const post = async (jwt: string, issueId: string) =>
      fetch(await hookUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
        body: JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { id: issueId } }),
      });
    const inFiveMinutes = () => ({ exp: Math.floor(Date.now() / 1000) + 300 });

    beforeAll(async () => {
      // Tokens of the organization's own Atlassian app: Jira signs their webhooks with its secret.
      jiraFake.addOAuthToken(OWN_TOKEN, OWN_SECRET);
      jira = await install(
        'jira',
        'oauth2',
        { atlassianApiUrl: jiraFake.gatewayUrl },
        {
          kind: 'oauth2',
          accessToken: OWN_TOKEN,
          refreshToken: 'jira-own-app-refresh',
          scope: 'read:jira-work manage:jira-webhook offline_access',
          obtainedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          client: { clientId: 'org-own-atlassian-app', clientSecret: OWN_SECRET },
        },
      );
    });

    it('applies a delivery signed with the organization’s app secret as the next resync would', async () => {
      const url = await hookUrl();
      expect([...jiraFake.dynamicWebhooks.values()].filter((hook) => hook.url === url)).toHaveLength(1);
      const issue = [...jiraFake.issues.values()][7]!;
      issue['fields']['summary'] = 'Renamed through the organization’s own app';
      const answers = await jiraFake.deliver('jira:issue_updated', { issue: { id: issue['id'], key: issue['key'] } });
      // Every webhook following issue events (the token install's, the platform app's, this one) took it.
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      await apply(jira);
      expect((await entity(jira, 'jiraIssue', issue['key']))?.title).toBe('Renamed through the organization’s own app');
      expect((await log(jira, 1)).map((e) => e.status)).toEqual(['applied']);
      await expectResyncAgrees(api, jira.org, jira.installationId);
    });

    it('refuses a delivery signed with the platform’s client secret or the hook’s own secret, writing nothing', async () => {
      const issue = [...jiraFake.issues.values()][8]!;
      const before = await catalog(jira);
      const summary = issue['fields']['summary'];
      issue['fields']['summary'] = 'Signed with the wrong app';
      const platform = await post(FakeJira.jwt(inFiveMinutes(), jiraFake.clientSecret), issue['id']);
      expect(platform.status).toBe(401);
      expect(((await platform.json()) as Record<string, any>)['error']).toMatchObject({
        code: 'WEBHOOK_REFUSED',
        details: { reason: 'bad_signature' },
      });
      const forged = await jiraFake.deliver('jira:issue_updated', { issue: { id: issue['id'] } }, { forge: true });
      expect(forged.every((answer) => answer.status === 401)).toBe(true);
      await apply(jira);
      expect(await catalog(jira)).toEqual(before);
      expect((await log(jira, 2)).map((e) => [e.status, e.reason])).toEqual(Array(2).fill(['refused', 'bad_signature']));
      issue['fields']['summary'] = summary;
    });

    it('keeps verifying with the organization’s app secret after the webhook is renewed', async () => {
      await worker.handleLiveEvent(
        'renew',
        { orgId: jira.org.orgId, installationId: jira.installationId },
        new AbortController().signal,
      );
      const issue = [...jiraFake.issues.values()][9]!;
      issue['fields']['summary'] = 'After renewal';
      expect((await post(FakeJira.jwt(inFiveMinutes(), OWN_SECRET), issue['id'])).status).toBe(202);
      expect((await post(FakeJira.jwt(inFiveMinutes(), jiraFake.clientSecret), issue['id'])).status).toBe(401);
      await apply(jira);
      expect((await entity(jira, 'jiraIssue', issue['key']))?.title).toBe('After renewal');
    });

    it('never shows or logs the organization’s app secret', async () => {
      const live = await api.request('GET', `/v1/installations/${jira.installationId}/live-events`, { token: jira.org.token });
      const entries = await log(jira, 10);
      for (const text of [JSON.stringify(live.body), JSON.stringify(entries), ...api.responses, ...api.logs]) {
        expect(text).not.toContain(OWN_SECRET);
      }
    });
  });

  describe('PagerDuty: a v3 subscription signed with the secret PagerDuty returned once', () => {
    let pagerduty: Installed;

    beforeAll(async () => {
      pagerduty = await install(
        'pagerduty',
        'custom_settings',
        { apiUrl: pdFake.apiUrl },
        { kind: 'settings', secrets: { token: PD_KEY } },
      );
    });

    it('kept PagerDuty’s signing secret sealed, never shown', async () => {
      expect(pdFake.subscriptions.size).toBe(1);
      const [subscription] = [...pdFake.subscriptions.values()];
      const live = await api.request('GET', `/v1/installations/${pagerduty.installationId}/live-events`, {
        token: pagerduty.org.token,
      });
      expect(subscription!.url).toBe(live.body.hook.hookUrl);
      expect(JSON.stringify(live.body)).not.toContain(subscription!.secrets[0]);
    });

    it('applies incident events as the next resync would, with several signatures during PagerDuty’s rotation', async () => {
      const incident = pdFake.addIncident('PSVC2', 'Card declines spiking');
      expect((await one(pdFake.deliver('incident.triggered', pdFake.webhookIncident(incident['id'])))).status).toBe(202);
      await apply(pagerduty);
      expect(await entity(pagerduty, 'pagerdutyIncident', incident['id'])).toMatchObject({
        title: 'Card declines spiking',
        properties: expect.objectContaining({ status: 'triggered' }),
      });

      // PagerDuty rotating the secret: it signs with the new one and the one Mooring holds.
      const subscription = [...pdFake.subscriptions.values()][0]!;
      const held = subscription.secrets[0]!;
      subscription.secrets = ['pagerduty-rotated-secret-0123', held];
      for (const [type, status] of [
        ['incident.acknowledged', 'acknowledged'],
        ['incident.reassigned', 'acknowledged'],
        ['incident.resolved', 'resolved'],
      ] as const) {
        incident['status'] = status;
        incident['updated_at'] = new Date().toISOString();
        const answer = await one(pdFake.deliver(type, pdFake.webhookIncident(incident['id'])));
        expect(answer.status, type).toBe(202);
        await apply(pagerduty);
        expect((await entity(pagerduty, 'pagerdutyIncident', incident['id']))?.properties['status'], type).toBe(status);
      }
      subscription.secrets = [held];
      expect((await log(pagerduty, 4)).map((e) => e.status)).toEqual(Array(4).fill('applied'));
      await expectResyncAgrees(api, pagerduty.org, pagerduty.installationId);
    });

    it('applies service updates (on-call included) and a deletion PagerDuty confirms, as the next resync would', async () => {
      const service = pdFake.services.get('PSVC3')!;
      service['description'] = 'Renamed by a live event';
      const updated = { id: 'PSVC3', type: 'service', summary: service['summary'], teams: service['teams'] };
      expect((await one(pdFake.deliver('service.updated', updated))).status).toBe(202);
      await apply(pagerduty);
      expect((await entity(pagerduty, 'pagerdutyService', 'PSVC3'))?.properties).toMatchObject({
        description: 'Renamed by a live event',
      });
      await expectResyncAgrees(api, pagerduty.org, pagerduty.installationId);

      // Still at PagerDuty: the deletion is not applied.
      await one(pdFake.deliver('service.deleted', { id: 'PSVC4', type: 'service' }));
      await apply(pagerduty);
      expect(await entity(pagerduty, 'pagerdutyService', 'PSVC4')).toBeDefined();
      expect((await log(pagerduty, 1))[0]!.changes).toEqual([expect.objectContaining({ result: 'kept_exists' })]);
    });

    it('refuses forged, altered and unsigned deliveries, writing nothing', async () => {
      const incident = [...pdFake.incidents.values()][0]!;
      const before = await catalog(pagerduty);
      incident['title'] = 'Forged title';
      const data = pdFake.webhookIncident(incident['id']);
      const forged = await one(pdFake.deliver('incident.resolved', data, { signatures: FakePagerduty.sign('{}', ['guess']) }));
      expect(forged.status).toBe(401);
      expect(forged.body['error']).toMatchObject({ code: 'WEBHOOK_REFUSED', details: { reason: 'bad_signature' } });
      // Signed with two secrets, neither PagerDuty's for this subscription.
      const both = await one(
        pdFake.deliver('incident.resolved', data, { signatures: FakePagerduty.sign('{}', ['one-guess', 'another-guess']) }),
      );
      expect(both.status).toBe(401);
      const unsigned = await one(pdFake.deliver('incident.resolved', data, { signatures: [] }));
      expect(unsigned.body['error']['details']['reason']).toBe('missing_signature');
      await apply(pagerduty);
      expect(await catalog(pagerduty)).toEqual(before);
      expect((await log(pagerduty, 3)).map((e) => [e.status, e.reason])).toEqual([
        ['refused', 'missing_signature'],
        ['refused', 'bad_signature'],
        ['refused', 'bad_signature'],
      ]);
    });
  });
});
