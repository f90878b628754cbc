import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationConnection, ItemFailure, JsonObject } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { jira } from './jira.definition.js';
import { ATLASSIAN_ORG_ID, CLOUD_ID, FakeJira } from './testing/fake-jira.server.js';

// The team kind against the fake Jira's Teams API: teams by cursor, members by POST with
// `{ first, after }`, the kind unavailable without the organization id (and for OAuth and Data
// Center), a 403, an unknown organization, a malformed members page, 429s waited out.

const EMAIL = 'ana@harbor.example';
const TOKEN = 'ATATT3xFfGF0-teams-token';
const team = jira.kinds['team']!;

async function collect(connection: IntegrationConnection, selector: Record<string, unknown> = {}): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  for await (const page of team.extract(connection, team.selector!.parse(selector) as Record<string, unknown>)) {
    items.push(...pageItems(page));
  }
  return items;
}

describe('Jira team kind (Atlassian Teams)', () => {
  let fake: FakeJira;
  const cloud = (settings: Record<string, string> = {}, extra: Partial<IntegrationConnection> = {}) =>
    testConnection({ siteUrl: fake.siteUrl, email: EMAIL, atlassianOrganizationId: ATLASSIAN_ORG_ID, ...settings }, TOKEN, extra);
  const teamsApi = `/gateway/api/public/teams/v1/org/${ATLASSIAN_ORG_ID}/teams`;

  beforeAll(async () => {
    // 305 teams: two pages of at most 300; 51 members each: two POST pages, of 50 and 1.
    fake = await FakeJira.start({ shape: { projects: 1, issues: 1, users: 130, teams: 305, teamMembers: 51 } });
    fake.addApiToken(EMAIL, TOKEN);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.teamsForbidden = false;
    fake.malformedMembers.clear();
  });

  it('pages teams by cursor and each team’s members by POST with first/after, every member kept', async () => {
    const before = fake.requests.length;
    const teams = await collect(cloud());
    expect(teams).toHaveLength(305);
    expect(new Set(teams.map((t) => t['teamId'])).size).toBe(305);
    const first = teams.find((t) => t['displayName'] === 'Team 1')!;
    expect(first['__members']).toEqual(fake.teamMembers.get(first['teamId'] as string));
    expect(first['__members']).toHaveLength(51);

    const sent = fake.requests.slice(before);
    const listings = sent.filter((r) => r.method === 'GET').map((r) => new URL(r.url, fake.siteUrl));
    expect(listings.map((u) => u.pathname)).toEqual(['/_edge/tenant_info', teamsApi, teamsApi]);
    expect(
      listings.slice(1).map((u) => [u.searchParams.get('siteId'), u.searchParams.get('size'), u.searchParams.has('cursor')]),
    ).toEqual([
      [CLOUD_ID, '300', false],
      [CLOUD_ID, '300', true],
    ]);
    const teamId = first['teamId'] as string;
    const pages = sent.filter((r) => r.method === 'POST' && r.url === `${teamsApi}/${teamId}/members?siteId=${CLOUD_ID}`);
    const bodies = pages.map((r) => JSON.parse(r.body) as JsonObject);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual({ first: 50 });
    expect(bodies.slice(1).every((b) => b['first'] === 50 && typeof b['after'] === 'string')).toBe(true);
    expect(pages.every((r) => String(r.headers['authorization']).startsWith('Basic '))).toBe(true);
    expect(pages.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('lists teams without members when the selector says so', async () => {
    const before = fake.requests.length;
    const teams = await collect(cloud(), { includeMembers: false });
    expect(teams).toHaveLength(305);
    expect(teams.every((t) => !('__members' in t))).toBe(true);
    expect(fake.requests.slice(before).some((r) => r.method === 'POST')).toBe(false);
  });

  it('is unavailable without the organization id, with OAuth and on Data Center, saying why', () => {
    expect(team.unavailable!(cloud())).toBeUndefined();
    expect(team.unavailable!(cloud({ atlassianOrganizationId: '' }))).toMatch(/atlassianOrganizationId/);
    expect(team.unavailable!(cloud({}, { authMethod: 'oauth2' }))).toMatch(/API token/);
    expect(
      team.unavailable!(testConnection({ siteUrl: fake.siteUrl, atlassianOrganizationId: ATLASSIAN_ORG_ID }, 'pat')),
    ).toMatch(/Jira Cloud only/);
  });

  it('refuses an organization id that is not one, naming the setting', async () => {
    await expect(collect(cloud({ atlassianOrganizationId: '../../rest/api/3/myself' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'settings.atlassianOrganizationId' }] },
    });
    await expect(jira.verifyCredentials(cloud({ atlassianOrganizationId: 'org id?' }))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('fails on a 403 with the reason, and on an unknown organization rather than looking empty', async () => {
    fake.teamsForbidden = true;
    await expect(collect(cloud())).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      message: expect.stringContaining('403'),
      details: { status: 403, reason: 'teams_forbidden' },
    });
    fake.teamsForbidden = false;
    await expect(collect(cloud({ atlassianOrganizationId: 'another-org' }))).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      details: { status: 404 },
    });
  });

  it('fails the kind when a members page says more follow but gives no cursor', async () => {
    const [one] = fake.teams;
    fake.malformedMembers.add(one!['teamId']);
    const failures: ItemFailure[] = [];
    await expect(collect(cloud({}, { itemFailed: (f) => void failures.push(f) }))).rejects.toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      message: expect.stringContaining('endCursor'),
    });
    // Not one team's problem to skip: a partial member list would drop memberships.
    expect(failures).toEqual([]);
  });

  it('skips and counts a team whose members are refused, and goes on', async () => {
    const [one] = fake.teams;
    const members = fake.teamMembers.get(one!['teamId'])!;
    fake.teamMembers.delete(one!['teamId']); // the team went away between the listing and its members
    try {
      const failures: ItemFailure[] = [];
      const teams = await collect(cloud({}, { itemFailed: (f) => void failures.push(f) }));
      expect(teams).toHaveLength(304);
      expect(failures).toEqual([{ item: `team ${one!['teamId']}`, reason: expect.stringContaining('404') }]);
    } finally {
      fake.teamMembers.set(one!['teamId'], members);
    }
  });

  it('waits out 429s on both listings', async () => {
    fake.rateLimit(2);
    const limited = fake.stats.rateLimited;
    expect(await collect(cloud())).toHaveLength(305);
    expect(fake.stats.rateLimited - limited).toBe(2);
  });
});
