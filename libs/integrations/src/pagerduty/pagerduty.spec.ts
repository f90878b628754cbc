import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection, JsonObject, KindDefinition } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { pagerdutyApiRoot } from './pagerduty-client.js';
import { pagerduty } from './pagerduty.definition.js';
import { FakePagerduty } from './testing/fake-pagerduty.server.js';

// The PagerDuty kinds and credentials against the fake PagerDuty on loopback: both auth methods,
// classic offset paging over several pages, the 10,000 ceiling, 429 waited out, a revoked key.

const API_KEY = 'u+pdApiKey0123456789';
const OAUTH_TOKEN = 'pdus+_0XBPWQQ_oauth-token';

async function collect(kind: KindDefinition, connection: IntegrationConnection, selector: Record<string, unknown> = {}) {
  const items: JsonObject[] = [];
  for await (const page of kind.extract(connection, selector)) items.push(...pageItems(page));
  return items;
}

describe('PagerDuty kinds and credentials', () => {
  let fake: FakePagerduty;
  const apiKey = (extra: Partial<IntegrationConnection> = {}) =>
    testConnection({ apiUrl: fake.apiUrl }, API_KEY, { authMethod: 'custom_settings', ...extra });
  const oauth = () => testConnection({ apiUrl: fake.apiUrl }, OAUTH_TOKEN, { authMethod: 'oauth2' });

  beforeAll(async () => {
    // 230 users: three pages of 100; 240 incidents over 40 days: two 30-day windows.
    fake = await FakePagerduty.start({ shape: { services: 12, users: 230, teams: 3, incidents: 240, incidentDays: 40 } });
    fake.addApiKey(API_KEY);
    fake.addOAuthToken(OAUTH_TOKEN);
  });
  afterAll(() => fake.close());

  it('sends a REST API key as `Token token=` and an OAuth token as `Bearer`, with the versioned media type', async () => {
    expect(await pagerduty.verifyCredentials(apiKey())).toBeUndefined();
    expect(await pagerduty.verifyCredentials(oauth())).toEqual({ id: 'PUSR1', name: 'user1@harbor.example' });
    const headers = fake.requests.filter((r) => r.url === '/abilities').map((r) => r.headers);
    expect(headers.map((h) => h['authorization'])).toEqual([`Token token=${API_KEY}`, `Bearer ${OAUTH_TOKEN}`]);
    expect(headers.every((h) => h['accept'] === 'application/vnd.pagerduty+json;version=2')).toBe(true);
    // The same token in the other scheme is refused, as PagerDuty refuses it.
    await expect(
      pagerduty.verifyCredentials(testConnection({ apiUrl: fake.apiUrl }, API_KEY, { authMethod: 'oauth2' })),
    ).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID', details: { field: 'oauth' } });
    await expect(pagerduty.verifyCredentials(testConnection({ apiUrl: fake.apiUrl }, 'wrong'))).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
      details: { field: 'settings.token' },
    });
  });

  it('chooses the API host by service region, and names the field for an unknown one', () => {
    expect(pagerdutyApiRoot({})).toBe('https://api.pagerduty.com');
    expect(pagerdutyApiRoot({ region: 'EU' })).toBe('https://api.eu.pagerduty.com');
    expect(() => pagerdutyApiRoot({ region: 'apac' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('reads every page of a classic listing (limit 100, offset, until `more` is false)', async () => {
    const before = fake.requests.length;
    const users = await collect(pagerduty.kinds['user']!, oauth());
    expect(users).toHaveLength(230);
    expect(new Set(users.map((u) => u['id'])).size).toBe(230);
    const offsets = fake.requests.slice(before).map((r) => new URL(r.url, fake.apiUrl).searchParams.get('offset'));
    expect(offsets).toEqual(['0', '100', '200']);
  });

  it('reads incidents window by window, each within PagerDuty’s six months', async () => {
    const before = fake.requests.length;
    const incidents = await collect(pagerduty.kinds['incident']!, apiKey(), { daysBack: 45 });
    const expected = [...fake.incidents.values()].filter((i) => Date.parse(i['created_at']) >= Date.now() - 45 * 86_400_000);
    expect(incidents.map((i) => i['id']).sort()).toEqual(expected.map((i) => i['id']).sort());
    const windows = fake.requests.slice(before).map((r) => new URL(r.url, fake.apiUrl).searchParams);
    expect(new Set(windows.map((w) => w.get('since'))).size).toBe(2);
    expect(windows.every((w) => w.getAll('statuses[]').length === 3 && w.get('total') === 'true')).toBe(true);
  });

  it('keeps only the statuses asked for', async () => {
    const open = await collect(pagerduty.kinds['incident']!, apiKey(), { statuses: ['triggered', 'acknowledged'], daysBack: 60 });
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((i) => i['status'] !== 'resolved')).toBe(true);
    expect(() => pagerduty.kinds['incident']!.selector!.parse({ statuses: ['open'] })).toThrow();
  });

  it('gives each service who is on call now at each escalation level, and its levels', async () => {
    const services = await collect(pagerduty.kinds['service']!, apiKey());
    expect(services).toHaveLength(12);
    const service = services.find((s) => s['id'] === 'PSVC1')!;
    const oncall = service['__oncall'] as JsonObject[];
    expect(oncall.map((o) => o['escalation_level'])).toEqual([1, 2]);
    expect((oncall[0]!['user'] as JsonObject)['email']).toMatch(/@harbor\.example$/);
    expect(((service['escalation_policy'] as JsonObject)['escalation_rules'] as unknown[]).length).toBe(2);
    // One listing of the account's on-calls for all services, not one per service.
    expect(fake.requests.filter((r) => r.url.startsWith('/oncalls')).length).toBe(1);
  });

  it('lists teams with their members, schedules, on-calls and escalation policies', async () => {
    const teams = await collect(pagerduty.kinds['team']!, apiKey(), { members: true });
    expect(teams).toHaveLength(3);
    expect(teams.reduce((n, t) => n + (t['__members'] as unknown[]).length, 0)).toBe(230);
    expect(await collect(pagerduty.kinds['schedule']!, apiKey())).toHaveLength(3);
    expect(await collect(pagerduty.kinds['oncall']!, apiKey())).toHaveLength(6);
    expect(await collect(pagerduty.kinds['escalation-policy']!, apiKey())).toHaveLength(3);
  });

  it('waits out a 429 (ratelimit-remaining 0, reset in seconds) and goes on', async () => {
    fake.rateLimit(2);
    const limited = fake.stats.rateLimited;
    const schedules = await collect(pagerduty.kinds['schedule']!, apiKey());
    expect(schedules).toHaveLength(3);
    expect(fake.stats.rateLimited - limited).toBe(2);
  });

  it('ends a kind with CREDENTIALS_INVALID when the key is revoked', async () => {
    const revoked = 'u+revokedKey';
    fake.addApiKey(revoked);
    const connection = testConnection({ apiUrl: fake.apiUrl }, revoked);
    expect(await collect(pagerduty.kinds['team']!, connection, { members: false })).toHaveLength(3);
    fake.revoke(revoked);
    await expect(collect(pagerduty.kinds['user']!, connection)).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
  });
});

describe('PagerDuty incidents beyond offset paging’s reach', () => {
  it('halves a window holding more than 10,000 incidents until every half can be read whole', async () => {
    const fake = await FakePagerduty.start({ shape: { services: 2, users: 3, teams: 1, incidents: 10_150, incidentDays: 20 } });
    try {
      fake.addApiKey(API_KEY);
      const connection = testConnection({ apiUrl: fake.apiUrl }, API_KEY);
      const incidents = await collect(pagerduty.kinds['incident']!, connection, { daysBack: 30 });
      expect(incidents).toHaveLength(10_150);
      expect(new Set(incidents.map((i) => i['id'])).size).toBe(10_150);
      const offsets = fake.requests.map((r) => Number(new URL(r.url, fake.apiUrl).searchParams.get('offset')));
      expect(Math.max(...offsets)).toBeLessThan(10_000);
    } finally {
      await fake.close();
    }
    // About 110 requests over 10,000 incidents: generous for a loaded machine.
  }, 180_000);
});
