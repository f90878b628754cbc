import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection, ItemFailure, JsonObject } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { gitlab } from './gitlab.definition.js';
import { FakeGitlab, projectId } from './testing/fake-gitlab.server.js';

// The GitLab kinds, credential check and live events against the fake GitLab, served under a
// relative URL root (`/gitlab/api/v4`) as a self-managed instance may be.
describe('GitLab integration against the fake GitLab', () => {
  const token = 'glpat-readApiToken0123456789';
  let fake: FakeGitlab;

  const extract = async (kind: string, connection: IntegrationConnection, selector: Record<string, unknown> = {}) => {
    const items: JsonObject[] = [];
    const totals: number[] = [];
    for await (const page of gitlab.kinds[kind]!.extract(connection, selector)) {
      items.push(...pageItems(page));
      if ('total' in page && page.total !== undefined) totals.push(page.total);
    }
    return { items, totals };
  };
  const scoped = (extra: Partial<IntegrationConnection> = {}, t = token) =>
    testConnection({ host: fake.host, group: fake.rootGroup }, t, extra);
  const everything = (t = token) => testConnection({ host: fake.host }, t);

  beforeAll(async () => {
    // 150 projects: listings of two pages of 100.
    fake = await FakeGitlab.start({ shape: { projects: 150, subgroups: 3, members: 120 } });
    fake.addToken(token, { username: 'sync-bot', scopes: ['read_api'] });
  });
  afterAll(() => fake.close());

  describe('credentials', () => {
    it('accepts a read_api token on a self-managed host with a relative root, naming the account', async () => {
      fake.clearRequests();
      await expect(gitlab.verifyCredentials(everything())).resolves.toEqual({ id: '1200', name: 'sync-bot' });
      expect(fake.apiPaths).toEqual(['/user', '/personal_access_tokens/self']);
      expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    });

    it('names read_api when the token has only read_user', async () => {
      fake.addToken('glpat-readUserOnly', { username: 'u', scopes: ['read_user'] });
      await expect(gitlab.verifyCredentials(everything('glpat-readUserOnly'))).rejects.toMatchObject({
        code: 'CREDENTIALS_SCOPE_MISSING',
        message: expect.stringContaining('read_api'),
        details: { missingScopes: ['read_api'], grantedScopes: ['read_user'] },
      });
    });

    it('names read_api when the token cannot read the API at all', async () => {
      fake.addToken('glpat-repoOnly', { username: 'u', scopes: ['read_repository'] });
      await expect(gitlab.verifyCredentials(everything('glpat-repoOnly'))).rejects.toMatchObject({
        code: 'CREDENTIALS_SCOPE_MISSING',
        details: { missingScopes: ['read_api'] },
      });
    });

    it('reads an OAuth token’s scopes from /oauth/token/info', async () => {
      fake.addToken('oauth-token', { username: 'oauth-user', scopes: ['read_user'], type: 'oauth' });
      await expect(gitlab.verifyCredentials(everything('oauth-token'))).rejects.toMatchObject({
        code: 'CREDENTIALS_SCOPE_MISSING',
      });
      fake.addToken('oauth-api', { username: 'oauth-user', scopes: ['api'], type: 'oauth' });
      await expect(gitlab.verifyCredentials(everything('oauth-api'))).resolves.toEqual({ id: '1200', name: 'oauth-user' });
    });

    it('refuses a group the token cannot see, naming the group field', async () => {
      await expect(gitlab.verifyCredentials(scoped())).resolves.toEqual({ id: '1200', name: 'sync-bot' });
      const elsewhere = testConnection({ host: fake.host, group: 'someone-else' }, token);
      await expect(gitlab.verifyCredentials(elsewhere)).rejects.toMatchObject({
        code: 'CREDENTIALS_INVALID',
        message: expect.stringContaining('someone-else'),
        details: { field: 'group', status: 404 },
      });
    });

    it('refuses an unknown or revoked token as CREDENTIALS_INVALID on the token field', async () => {
      await expect(gitlab.verifyCredentials(everything('glpat-unknown'))).rejects.toMatchObject({
        code: 'CREDENTIALS_INVALID',
        details: { field: 'token' },
      });
    });
  });

  describe('kinds', () => {
    it('lists the group with all its subgroups, nested ones included, with X-Total', async () => {
      const { items, totals } = await extract('group', scoped());
      expect(items.map((g) => g['full_path'])).toEqual([
        'harbor',
        'harbor/team-0',
        'harbor/team-0/squad',
        'harbor/team-1',
        'harbor/team-1/squad',
        'harbor/team-2',
        'harbor/team-2/squad',
      ]);
      expect(totals).toEqual([6]);
    });

    it('pages a group’s projects by offset with X-Next-Page, subgroups included', async () => {
      fake.clearRequests();
      const { items, totals } = await extract('project', scoped());
      expect(items).toHaveLength(150);
      expect(new Set(items.map((p) => p['id'])).size).toBe(150);
      expect(totals).toEqual([150, 150]);
      const listings = fake.apiPaths.filter((p) => p.startsWith('/groups/harbor/projects'));
      expect(listings).toHaveLength(2);
      expect(listings[0]).toContain('include_subgroups=true');
      expect(listings[1]).toContain('page=2');
    });

    it('pages the user’s projects by keyset (Link with id_after) without a group', async () => {
      fake.clearRequests();
      const { items } = await extract('project', everything());
      expect(items).toHaveLength(150);
      const listings = fake.apiPaths.filter((p) => p.startsWith('/projects?'));
      expect(listings).toHaveLength(2);
      expect(listings[0]).toContain('pagination=keyset');
      expect(listings[1]).toContain(`id_after=${projectId(99)}`);
    });

    it('adds languages and chosen files to projects, null for a file the project lacks', async () => {
      fake.setShape({ projects: 3 });
      try {
        const { items } = await extract('project', scoped(), {
          includeLanguages: true,
          includedFiles: ['README.md', 'CODEOWNERS'],
        });
        expect(items[0]).toMatchObject({
          __languages: { TypeScript: 81.42, Shell: 18.58 },
          __files: { 'README.md': '# svc-0\n\nService 0\n', CODEOWNERS: null },
        });
      } finally {
        fake.setShape({ projects: 150 });
      }
    });

    it('reads merge requests and issues from the group’s own listings, each with its project', async () => {
      fake.clearRequests();
      const mrs = await extract('merge-request', scoped(), { states: ['opened', 'merged'] });
      expect(mrs.items).toHaveLength(300);
      expect(mrs.items[0]!['__project']).toBe(String(mrs.items[0]!['references']!['full' as never]).split('!')[0]);
      expect(fake.apiPaths.filter((p) => p.includes('merge_requests'))).toHaveLength(4); // 2 states × 2 pages of 100
      const issues = await extract('issue', scoped());
      expect(issues.items.every((issue) => issue['state'] === 'opened')).toBe(true);
      expect(issues.items).toHaveLength(150);
    });

    it('reads per-project kinds for every project, jobs by keyset', async () => {
      fake.setShape({ projects: 12 });
      try {
        fake.clearRequests();
        const counts: Record<string, number> = {};
        for (const kind of ['pipeline', 'job', 'deployment', 'environment', 'release', 'tag', 'branch']) {
          counts[kind] = (await extract(kind, scoped())).items.length;
        }
        expect(counts).toEqual({ pipeline: 24, job: 48, deployment: 12, environment: 12, release: 12, tag: 12, branch: 24 });
        expect(fake.apiPaths.find((p) => p.includes('/jobs?'))).toContain('pagination=keyset');
        const { items } = await extract('job', scoped(), { maxResults: 1 });
        expect(items).toHaveLength(12);
      } finally {
        fake.setShape({ projects: 150 });
      }
    });

    it('lists members once per person, inherited ones on request, leaving bots out', async () => {
      const direct = await extract('member', scoped());
      expect(direct.items.map((m) => m['username'])).not.toContain(expect.stringMatching(/_bot_/));
      expect(new Set(direct.items.map((m) => m['id'])).size).toBe(direct.items.length);
      expect(direct.items).toHaveLength(120 + 6); // the root's members and one of each subgroup's own
      const groups = await extract('group-with-members', scoped(), { includeInheritedMembers: true });
      const squad = groups.items.find((g) => g['full_path'] === 'harbor/team-1/squad')!;
      expect((squad['__members'] as JsonObject[]).length).toBe(121);
      const withBots = await extract('member', scoped(), { includeBotMembers: true });
      expect(withBots.items.length).toBe(direct.items.length + 1);
    });

    it('waits out a 429 with Retry-After and completes the listing', async () => {
      fake.injectRateLimit({ afterRequests: 1, count: 2, retryAfterSeconds: 1 });
      const before = fake.stats.rateLimited;
      const { items } = await extract('project', scoped());
      expect(items).toHaveLength(150);
      expect(fake.stats.rateLimited - before).toBe(2);
    });

    it('paces itself by RateLimit-Remaining and RateLimit-Reset, waiting for the next window', async () => {
      const limited = await FakeGitlab.start({ shape: { projects: 40 }, rateLimit: 25, windowSeconds: 2 });
      try {
        limited.addToken('glpat-limited', { username: 'u', scopes: ['read_api'] });
        const connection = testConnection({ host: limited.host, group: limited.rootGroup }, 'glpat-limited');
        const { items } = await extract('release', connection);
        expect(items).toHaveLength(40);
        expect(limited.stats.requests).toBeGreaterThan(25);
        // At most what was already in flight when the window's quota ran out meets a 429.
        expect(limited.stats.rateLimited).toBeLessThanOrEqual(10);
      } finally {
        await limited.close();
      }
    });

    it('skips only the project whose listing answers 403, and reports it', async () => {
      fake.setShape({ projects: 6 });
      try {
        fake.forbid('harbor/team-1/squad/svc-1', 'pipelines');
        const failures: ItemFailure[] = [];
        const { items } = await extract('pipeline', scoped({ itemFailed: (failure) => failures.push(failure) }));
        expect(items).toHaveLength(10);
        expect(items.some((p) => p['__project'] === 'harbor/team-1/squad/svc-1')).toBe(false);
        expect(failures).toEqual([{ item: 'harbor/team-1/squad/svc-1', reason: expect.stringContaining('403') }]);
        // Without anyone to report to, the kind fails rather than looking complete.
        await expect(extract('pipeline', scoped())).rejects.toMatchObject({ code: 'UPSTREAM_FAILED' });
      } finally {
        fake.setShape({ projects: 150 });
      }
    });

    it('fails with CREDENTIALS_INVALID once the token is revoked', async () => {
      fake.addToken('glpat-soonRevoked', { username: 'u', scopes: ['read_api'] });
      fake.revokeToken('glpat-soonRevoked');
      await expect(extract('project', scoped({}, 'glpat-soonRevoked'))).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
    });

    it('validates selectors strictly', () => {
      expect(gitlab.kinds['merge-request']!.selector!.safeParse({ states: ['open'] }).success).toBe(false);
      expect(gitlab.kinds['project']!.selector!.safeParse({ includeLanguage: true }).success).toBe(false);
      expect(gitlab.kinds['member']!.selector!.parse({})).toEqual({ includeInheritedMembers: false, includeBotMembers: false });
    });
  });
});
