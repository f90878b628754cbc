import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookRegistration, JsonObject, WebhookDelivery } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { DEFAULT_JQL } from './jira-kinds.js';
import { jira } from './jira.definition.js';
import { FakeJira } from './testing/fake-jira.server.js';

// Jira's live events against the fake: dynamic webhooks for an OAuth install (JWT signed with the
// app's client secret, 30-day expiry, refreshed on a clock), an admin webhook for a token install
// (X-Hub-Signature with Mooring's secret), forged deliveries refused, each event's item read back
// as the next resync lists it, and an issue created but not yet searchable never deleted.

const live = jira.liveEvents!;
const DAY_MS = 86_400_000;
const EMAIL = 'admin@harbor.example';
const TOKEN = 'ATATT-admin-token';
const OAUTH = 'oauth-live-token';

describe('Jira live events', () => {
  let fake: FakeJira;
  let receiver: http.Server;
  let hookUrl: string;
  const received: WebhookDelivery[] = [];
  const oauth = () => testConnection({ atlassianApiUrl: fake.gatewayUrl }, OAUTH, { authMethod: 'oauth2' });
  const token = () => testConnection({ siteUrl: fake.siteUrl, email: EMAIL }, TOKEN);

  const next = async (send: () => Promise<Response[]>): Promise<WebhookDelivery> => {
    const count = received.length;
    const answers = await send();
    expect(answers.map((a) => a.status)).toEqual([204]);
    expect(received.length).toBe(count + 1);
    return received.at(-1)!;
  };
  const listed = async (kind: string, selector: Record<string, unknown> = {}) => {
    const items: JsonObject[] = [];
    for await (const page of jira.kinds[kind]!.extract(oauth(), selector)) items.push(...pageItems(page));
    return items;
  };

  beforeAll(async () => {
    fake = await FakeJira.start();
    fake.addOAuthToken(OAUTH);
    fake.addApiToken(EMAIL, TOKEN);
    receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          rawBody: Buffer.concat(chunks),
          headers: request.headers as Record<string, string>,
          receivedAt: new Date(),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/hooks/h_jira`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await fake.close();
  });

  describe('OAuth install: dynamic webhooks', () => {
    let registration: HookRegistration;

    it('registers issue events with a JQL filter and says when the webhook expires', async () => {
      registration = await live.register!(oauth(), { url: hookUrl, secret: 'unused-for-dynamic' });
      const [hook] = [...fake.dynamicWebhooks.values()];
      expect(registration.reference).toEqual({ kind: 'dynamic', webhookId: hook!.id });
      expect(registration.expiresAt!.getTime()).toBe(hook!.expiresAt);
      expect(hook!.expiresAt - fake.now()).toBeGreaterThan(29 * DAY_MS);
      expect(hook!.events).toEqual(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']);
      expect(hook!.jqlFilter).toMatch(/^project != /);
    });

    it('verifies the JWT Atlassian signs with the app’s client secret, and refuses a forged or unsigned one', async () => {
      const issue = [...fake.issues.values()][0]!;
      const delivery = await next(() => fake.deliver('jira:issue_updated', { issue: { id: issue['id'], key: issue['key'] } }));
      expect(live.verify(delivery, [fake.clientSecret])).toEqual({
        verified: true,
        deliveryId: delivery.headers['x-atlassian-webhook-identifier'],
        event: 'jira:issue_updated',
      });
      const forged = await next(() => fake.deliver('jira:issue_updated', { issue: { id: issue['id'] } }, { forge: true }));
      expect(live.verify(forged, [fake.clientSecret])).toEqual({ verified: false, reason: 'bad_signature' });
      const { authorization: _, ...unsigned } = delivery.headers;
      expect(live.verify({ ...delivery, headers: unsigned }, [fake.clientSecret])).toEqual({
        verified: false,
        reason: 'missing_signature',
      });
      // `alg: none`, or a token signed with the right secret but expired, never passes.
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
      expect(
        live.verify({ ...delivery, headers: { ...delivery.headers, authorization: `Bearer ${none}` } }, [fake.clientSecret]),
      ).toMatchObject({
        verified: false,
      });
      const expired = FakeJira.jwt({ exp: Math.floor(Date.now() / 1000) - 3600 }, fake.clientSecret);
      expect(
        live.verify({ ...delivery, headers: { ...delivery.headers, authorization: `Bearer ${expired}` } }, [fake.clientSecret]),
      ).toEqual({ verified: false, reason: 'bad_signature' });
    });

    it('refreshes the webhook before its 30 days end; one left to expire stops delivering and fails renewal', async () => {
      fake.clockOffsetMs = 25 * DAY_MS;
      const renewed = await live.renew!(oauth(), registration);
      expect(renewed.reference).toEqual(registration.reference);
      expect(renewed.expiresAt!.getTime() - fake.now()).toBeGreaterThan(29 * DAY_MS);
      fake.clockOffsetMs = 50 * DAY_MS; // 25 days after the refresh: still delivered
      const issue = [...fake.issues.values()][1]!;
      await next(() => fake.deliver('jira:issue_updated', { issue: { id: issue['id'] } }));
      fake.clockOffsetMs = 90 * DAY_MS; // 65 days after it: expired, as Jira drops it
      expect(await fake.deliver('jira:issue_updated', { issue: { id: issue['id'] } })).toEqual([]);
      await expect(live.renew!(oauth(), renewed)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      fake.clockOffsetMs = 0;
    });

    it('applies issue events as the next resync would write the issue', async () => {
      const issue = [...fake.issues.values()][2]!;
      issue['fields']['summary'] = 'Renamed live';
      const delivery = {
        headers: {},
        body: { timestamp: 1789201421118, webhookEvent: 'jira:issue_updated', issue: { id: issue['id'], key: issue['key'] } },
      };
      expect(live.changes(delivery)).toEqual([{ kind: 'issue', itemId: issue['id'], action: 'upsert', version: 1789201421118 }]);
      const item = await live.fetchItem(oauth(), 'issue', issue['id']);
      expect(item).toEqual((await listed('issue', { jql: DEFAULT_JQL })).find((i) => i['id'] === issue['id']));
      expect((item!['fields'] as JsonObject)['summary']).toBe('Renamed live');
    });

    it('reads a created issue by id before search finds it; its deletion stands only once it reads as gone', async () => {
      const created = fake.createIssue('PA1', 'Just created');
      expect((await listed('issue', { jql: DEFAULT_JQL })).some((i) => i['id'] === created['id'])).toBe(false);
      const [change] = live.changes({
        headers: {},
        body: { webhookEvent: 'jira:issue_created', issue: { id: created['id'], key: created['key'] } },
      });
      expect(change).toMatchObject({ action: 'upsert', itemId: created['id'] });
      expect(await live.fetchItem(oauth(), 'issue', created['id'])).toMatchObject({
        key: created['key'],
        fields: { summary: 'Just created' },
      });
      // A deletion event for it while search lags: the issue still reads by id, so nothing is deleted.
      const [deletion] = live.changes({
        headers: {},
        body: { webhookEvent: 'jira:issue_deleted', issue: { id: created['id'], key: created['key'] } },
      });
      expect(deletion).toMatchObject({ action: 'delete', item: { key: created['key'] } });
      expect(await live.fetchItem(oauth(), 'issue', created['id'])).not.toBeNull();
      fake.issues.delete(created['id']);
      expect(await live.fetchItem(oauth(), 'issue', created['id'])).toBeNull();
    });

    it('deletes its webhook at uninstall; one already gone is no error', async () => {
      await live.unregister!(oauth(), registration);
      expect(fake.dynamicWebhooks.size).toBe(0);
      await live.unregister!(oauth(), registration);
    });
  });

  describe('token install: an admin webhook', () => {
    let registration: HookRegistration;
    const secret = 'mooring-installation-secret-0123';

    it('registers issue, project, release and sprint events with Mooring’s secret; it does not expire', async () => {
      registration = await live.register!(token(), { url: hookUrl, secret });
      const [hook] = [...fake.adminWebhooks.values()];
      expect(registration).toEqual({ reference: { kind: 'admin', webhookId: hook!.id } });
      expect(hook!.secret).toBe(secret);
      expect(hook!.events).toEqual(
        expect.arrayContaining(['jira:issue_created', 'project_updated', 'jira:version_released', 'sprint_started']),
      );
      expect(await live.renew!(token(), registration)).toEqual(registration);
    });

    it('verifies X-Hub-Signature on the raw body, with either secret during a rotation; refuses forged ones', async () => {
      const project = fake.projects[0]!;
      const delivery = await next(() =>
        fake.deliver('project_updated', { project: { id: Number(project['id']), key: project['key'] } }),
      );
      expect(delivery.headers['x-hub-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(live.verify(delivery, ['new-secret', secret])).toMatchObject({ verified: true, event: 'project_updated' });
      const forged = await next(() => fake.deliver('project_updated', { project: { key: project['key'] } }, { forge: true }));
      expect(live.verify(forged, [secret])).toEqual({ verified: false, reason: 'bad_signature' });
      const altered = {
        ...delivery,
        rawBody: Buffer.from(delivery.rawBody.toString().replace('project_updated', 'project_deleted')),
      };
      expect(live.verify(altered, [secret])).toEqual({ verified: false, reason: 'bad_signature' });
    });

    it('applies project, release and sprint events as the resync lists them', async () => {
      const project = fake.projects[1]!;
      const version = fake.versions.get(project['key'])![0]!;
      const sprint = [...fake.sprints.values()][0]![1]!;
      const cases: Array<[string, JsonObject, string, string]> = [
        ['project_updated', { project: { id: Number(project['id']), key: project['key'] } }, 'project', project['key']],
        ['jira:version_released', { version: { id: version['id'], name: version['name'] } }, 'release', version['id']],
        ['sprint_started', { sprint: { id: sprint['id'], name: sprint['name'] } }, 'sprint', String(sprint['id'])],
      ];
      for (const [event, payload, kind, id] of cases) {
        const [change] = live.changes({ headers: {}, body: { webhookEvent: event, timestamp: 1, ...payload } });
        expect(change).toEqual({ kind, itemId: id, action: 'upsert', version: 1 });
        const item = await live.fetchItem(token(), kind, id);
        const fromListing = (await listed(kind)).find(
          (i) => JSON.stringify(i[kind === 'project' ? 'key' : 'id']).replaceAll('"', '') === id,
        );
        expect(item).toEqual(fromListing);
      }
      expect(live.changes({ headers: {}, body: { webhookEvent: 'comment_created', comment: {} } })).toEqual([]);
      expect(() => live.changes({ headers: {}, body: { webhookEvent: 'jira:issue_updated' } })).toThrow(
        expect.objectContaining({ code: 'UPSTREAM_MALFORMED' }),
      );
    });

    it('removes the admin webhook at uninstall', async () => {
      await live.unregister!(token(), registration);
      expect(fake.adminWebhooks.size).toBe(0);
      await live.unregister!(token(), registration);
    });
  });
});
