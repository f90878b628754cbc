import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection, JsonObject, KindDefinition } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { DEFAULT_JQL, ISSUE_FIELDS } from './jira-kinds.js';
import { jira } from './jira.definition.js';
import { CLOUD_ID, FakeJira } from './testing/fake-jira.server.js';

// The Jira kinds and credentials against the fake Jira on loopback: OAuth through the gateway, an
// API token with email on a Cloud site, a Data Center personal access token; search by
// nextPageToken, PageBeans, bare arrays; 429 waited out; a revoked token.

const EMAIL = 'ana@harbor.example';
const API_TOKEN = 'ATATT3xFfGF0-api-token';
const OAUTH_TOKEN = 'eyJ-oauth-access-token';
const PAT = 'NjM4-data-center-pat';

async function collect(kind: KindDefinition, connection: IntegrationConnection, selector: Record<string, unknown> = {}) {
  const items: JsonObject[] = [];
  for await (const page of kind.extract(connection, selector)) items.push(...pageItems(page));
  return items;
}

describe('Jira kinds and credentials', () => {
  let fake: FakeJira;
  const oauth = (settings: Record<string, string> = {}) =>
    testConnection({ atlassianApiUrl: fake.gatewayUrl, ...settings }, OAUTH_TOKEN, { authMethod: 'oauth2' });
  const cloud = () => testConnection({ siteUrl: fake.siteUrl, email: EMAIL }, API_TOKEN);
  const dataCenter = () => testConnection({ siteUrl: fake.siteUrl }, PAT);
  const after = (before: number) => fake.requests.slice(before).map((r) => new URL(r.url, fake.siteUrl));

  beforeAll(async () => {
    // 230 issues: three search pages of 100; 120 users: bare arrays of 100 until an empty one.
    fake = await FakeJira.start({ shape: { projects: 3, issues: 230, users: 120 } });
    fake.addApiToken(EMAIL, API_TOKEN);
    fake.addOAuthToken(OAUTH_TOKEN);
    fake.addPat(PAT);
  });
  afterAll(() => fake.close());

  it('verifies each auth method against its own API: OAuth via the gateway, API token (basic), Data Center PAT', async () => {
    const before = fake.requests.length;
    for (const connection of [oauth(), cloud(), dataCenter()]) {
      expect(await jira.verifyCredentials(connection)).toEqual({ id: '712020:00000001', name: 'user1@harbor.example' });
    }
    const requests = fake.requests.slice(before).map((r) => `${r.url} ${String(r.headers['authorization']).split(' ')[0]}`);
    expect(requests).toEqual([
      '/oauth/token/accessible-resources Bearer',
      `/ex/jira/${CLOUD_ID}/rest/api/3/myself Bearer`,
      '/rest/api/3/myself Basic',
      '/rest/api/2/myself Bearer',
    ]);
    const basic = fake.requests.find((r) => r.url === '/rest/api/3/myself')!.headers['authorization'];
    expect(basic).toBe(`Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`);
  });

  it('refuses wrong credentials naming the field, and a site the OAuth token does not grant', async () => {
    await expect(jira.verifyCredentials(testConnection({ siteUrl: fake.siteUrl, email: EMAIL }, 'wrong'))).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
      details: { field: 'settings.token' },
    });
    await expect(
      jira.verifyCredentials(testConnection({ atlassianApiUrl: fake.gatewayUrl }, 'revoked', { authMethod: 'oauth2' })),
    ).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID', details: { field: 'oauth' } });
    await expect(jira.verifyCredentials(oauth({ siteUrl: 'https://elsewhere.atlassian.net' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'settings.siteUrl' }] },
    });
    expect(await jira.verifyCredentials(oauth({ siteUrl: 'https://harbor-labs.atlassian.net/' }))).toMatchObject({
      id: '712020:00000001',
    });
  });

  it('searches issues by nextPageToken on /search/jql with the mapping’s fields, never the removed /search', async () => {
    const before = fake.requests.length;
    const issues = await collect(jira.kinds['issue']!, oauth(), { jql: DEFAULT_JQL });
    expect(issues).toHaveLength(230);
    expect(new Set(issues.map((i) => i['key'])).size).toBe(230);
    expect(issues[0]!['fields']).toMatchObject({ summary: expect.any(String), status: { name: expect.any(String) } });
    const searches = after(before).filter((u) => u.pathname.endsWith('/search/jql'));
    expect(searches).toHaveLength(3);
    expect(searches.map((u) => u.searchParams.has('nextPageToken'))).toEqual([false, true, true]);
    expect(
      searches.every((u) => u.searchParams.get('jql') === DEFAULT_JQL && u.searchParams.get('fields') === ISSUE_FIELDS),
    ).toBe(true);
    expect(after(before).some((u) => u.pathname.endsWith('/rest/api/3/search'))).toBe(false);
    expect(() => jira.kinds['issue']!.selector!.parse({ jql: '' })).toThrow();
  });

  it('pages Data Center’s /rest/api/2/search by startAt', async () => {
    const before = fake.requests.length;
    expect(await collect(jira.kinds['issue']!, dataCenter(), { jql: 'project = PA1' })).toHaveLength(230);
    expect(after(before).map((u) => `${u.pathname}?${u.searchParams.get('startAt')}`)).toEqual([
      '/rest/api/2/search?0',
      '/rest/api/2/search?100',
      '/rest/api/2/search?200',
    ]);
  });

  it('lists users as bare arrays until an empty page, projects as PageBeans, on Cloud and Data Center', async () => {
    const before = fake.requests.length;
    expect(await collect(jira.kinds['user']!, cloud())).toHaveLength(120);
    expect(after(before).map((u) => u.searchParams.get('startAt'))).toEqual(['0', '100', '120']);
    expect(await collect(jira.kinds['user']!, dataCenter())).toHaveLength(120);
    expect((await collect(jira.kinds['project']!, cloud())).map((p) => p['key'])).toEqual(['PA1', 'PB2', 'PC3']);
    expect(await collect(jira.kinds['project']!, dataCenter())).toHaveLength(3);
  });

  it('lists releases and components per project, boards, and sprints of scrum boards only', async () => {
    const releases = await collect(jira.kinds['release']!, oauth());
    expect(releases).toHaveLength(6);
    expect(new Set(releases.map((r) => r['__projectKey']))).toEqual(new Set(['PA1', 'PB2', 'PC3']));
    expect(await collect(jira.kinds['component']!, dataCenter())).toHaveLength(6);
    expect(await collect(jira.kinds['board']!, cloud())).toHaveLength(6);
    const sprints = await collect(jira.kinds['sprint']!, cloud());
    expect(sprints).toHaveLength(6);
    expect(sprints.every((s) => typeof s['originBoardId'] === 'number')).toBe(true);
  });

  it('waits out 429s (Retry-After) and goes on', async () => {
    fake.rateLimit(3);
    const limited = fake.stats.rateLimited;
    expect(await collect(jira.kinds['board']!, cloud())).toHaveLength(6);
    expect(fake.stats.rateLimited - limited).toBe(3);
  });

  it('ends a kind with CREDENTIALS_INVALID when the token is revoked', async () => {
    const token = 'revocable-pat';
    fake.addPat(token);
    const connection = testConnection({ siteUrl: fake.siteUrl }, token);
    expect(await collect(jira.kinds['board']!, connection)).toHaveLength(6);
    fake.revoke(token);
    await expect(collect(jira.kinds['issue']!, connection, { jql: DEFAULT_JQL })).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
    });
  });
});
