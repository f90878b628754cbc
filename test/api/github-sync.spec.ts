import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeGithub } from '@mooring/integrations/testing';
import type { SyncRunRecord } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { resyncInProcess } from '../support/resync-in-process.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// GitHub end to end: installed through the API with a token and a GitHub Enterprise host (the fake
// GitHub on loopback, answering under /api/v3 with GitHub's response shapes), synced by the engine
// through the production connection (SSRF-guarded fetch, stored credentials, PostgreSQL response
// cache), with rate limits, ETags and a revoked token. Each test awaits whole syncs (about 1,900
// requests each), so its deadline is sized for a loaded machine, not the 30 s default.
describe('GitHub integration, end to end', { timeout: 180_000 }, () => {
  const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
  const org = 'octo-org';
  const github = IntegrationRegistry.fromConfig({ fakeEnabled: false }).get('github');
  let fake: FakeGithub;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;

  // No worker in this test: the run a resync asks for (or the install's first one, still waiting) runs here.
  const sync = () => resyncInProcess(api, acme, installationId);
  const entities = async (blueprint: string) =>
    adminQuery<{ identifier: string; title: string; properties: Record<string, unknown>; relations: Record<string, unknown> }>(
      api.db,
      'SELECT identifier, title, properties, relations FROM entities WHERE org_id = $1 AND blueprint = $2 ORDER BY identifier',
      [acme.orgId, blueprint],
    );
  const written = async (run: SyncRunRecord) =>
    (
      await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM entities WHERE org_id = $1 AND updated_at >= $2', [
        acme.orgId,
        run.startedAt,
      ])
    )[0]!.n;
  const counts = (run: SyncRunRecord) => Object.fromEntries(run.resources.map((r) => [r.kind, r.fetched]));

  beforeAll(async () => {
    // 120 repositories and 210 members: listings of two and three pages of 100.
    fake = await FakeGithub.start({ shape: { repositories: 120, members: 210, teams: 3 }, latencyMs: 2 });
    fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org, workflow', organizations: [org] });
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' });
    acme = await api.createOrganization('acme');
    expect((await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
  });

  it('installs with a token and a GitHub Enterprise host, creating the default blueprints and mapping', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'github', name: 'GitHub', settings: { token, host: fake.host, organization: org } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    expect(created.body.installation.mapping).toEqual(github.defaultMapping);
    const blueprints = await api.request('GET', '/v1/blueprints', { token: acme.token });
    expect(blueprints.body.blueprints.map((b: { identifier: string }) => b.identifier).sort()).toEqual(
      github.defaultBlueprints.map((b) => b.identifier).sort(),
    );
  });

  it('syncs every default kind over paginated listings, under the /api/v3 prefix, at most 10 requests at once', async () => {
    const run = await sync();
    expect(run.status, JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error]))).toBe('completed');
    expect(counts(run)).toEqual({
      organization: 1,
      user: 210,
      team: 3,
      repository: 120,
      'pull-request': 120, // the open one of each repository's two
      issue: 240, // pull requests listed among issues are left to the pull-request kind
      workflow: 120,
      'workflow-run': 240,
      release: 120,
      deployment: 120,
    });
    expect(run.resources.every((r) => r.ingested === r.fetched && r.transformFailed === 0)).toBe(true);

    const paths = fake.requests.map((r) => r.url);
    expect(paths.every((p) => p.startsWith('/api/v3/'))).toBe(true);
    expect(paths).toContain(`/api/v3/orgs/${org}/repos?type=all&per_page=100&page=2`);
    expect(paths).toContain(`/api/v3/orgs/${org}/members?per_page=100&page=3`);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(fake.stats.maxInFlight).toBeLessThanOrEqual(10);
    expect(fake.stats.maxInFlight).toBeGreaterThan(1);
  });

  it('writes an entity for each default kind with the expected relations', async () => {
    const [organization] = await entities('githubOrganization');
    expect(organization).toMatchObject({ identifier: org });

    const repositories = await entities('githubRepository');
    expect(repositories).toHaveLength(120);
    expect(repositories.find((r) => r.identifier === `${org}/repo-7`)).toMatchObject({
      title: 'repo-7',
      properties: { description: 'Repository 7', visibility: 'private', link: `https://github.com/${org}/repo-7` },
      relations: { organization: org },
    });

    const pull = (await entities('githubPullRequest')).find((p) => p.identifier === `${org}/repo-3#1`);
    expect(pull).toMatchObject({
      title: `Change 1 of ${org}/repo-3`,
      properties: { status: 'open', creator: `${org}-user-0`, branch: 'feature-1' },
      relations: { repository: `${org}/repo-3` },
    });
    const issue = (await entities('githubIssue')).find((i) => i.identifier === `${org}/repo-3#3`);
    expect(issue).toMatchObject({ properties: { status: 'open' }, relations: { repository: `${org}/repo-3` } });

    const team = (await entities('githubTeam')).find((t) => t.identifier === `${org}/team-1`);
    expect(team?.relations['organization']).toBe(org);
    expect(team?.relations['members']).toHaveLength(70);
    expect(team?.relations['members']).toContain(`${org}-user-1`);
    expect((await entities('githubUser')).map((u) => u.identifier)).toContain(`${org}-user-209`);

    const [workflow] = (await entities('githubWorkflow')).filter((w) => w.relations['repository'] === `${org}/repo-5`);
    expect(workflow).toMatchObject({ title: 'CI 0', properties: { path: '.github/workflows/ci-0.yml' } });
    const runs = (await entities('githubWorkflowRun')).filter((r) => r.relations['repository'] === `${org}/repo-5`);
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.relations['workflow'] === workflow!.identifier)).toBe(true);

    for (const blueprint of ['githubRelease', 'githubDeployment']) {
      const found = (await entities(blueprint)).filter((e) => e.relations['repository'] === `${org}/repo-5`);
      expect(found, blueprint).toHaveLength(1);
    }
  });

  it('resyncs an unchanged GitHub with 304s only: no quota spent, no entity written', async () => {
    const quotaBefore = fake.quota(token).remaining;
    const before = { ...fake.stats };
    const run = await sync();
    expect(run.status).toBe('completed');
    const requests = fake.stats.requests - before.requests;
    const notModified = fake.stats.notModified - before.notModified;
    expect(requests).toBeGreaterThan(700);
    expect(notModified).toBe(requests);
    expect(fake.quota(token).remaining).toBe(quotaBefore);
    expect(await written(run)).toBe(0);
    expect(run.resources.every((r) => r.notChanged === r.fetched && r.ingested === 0)).toBe(true);
    expect(counts(run)['repository']).toBe(120);
  });

  it('refetches only the pages that changed', async () => {
    fake.changeRepository(org, 150 - 100); // on the first page of the org's repositories
    const before = { ...fake.stats };
    const run = await sync();
    expect(run.status).toBe('completed');
    const fullFetches = fake.stats.requests - before.requests - (fake.stats.notModified - before.notModified);
    // The first page of repositories, once: the per-repository kinds list it again with the new ETag.
    expect(fullFetches).toBe(1);
    expect(await written(run)).toBe(1);
    expect((await entities('githubRepository')).find((r) => r.identifier === `${org}/repo-50`)?.properties['description']).toBe(
      'Repository 50 (revision 1)',
    );
  });

  it('waits out a secondary rate limit met mid-run and completes the run', async () => {
    fake.injectSecondaryLimit({ afterRequests: 40, count: 3, status: 403, retryAfterSeconds: 1 });
    const before = { ...fake.stats };
    const run = await sync();
    expect(run.status, JSON.stringify(run.resources.map((r) => r.error))).toBe('completed');
    expect(fake.stats.rateLimited - before.rateLimited).toBe(3);
    expect(counts(run)['workflow-run']).toBe(240);

    fake.injectSecondaryLimit({ afterRequests: 5, count: 2, status: 429, retryAfterSeconds: 1 });
    expect((await sync()).status).toBe('completed');
  });

  it('marks the installation needs_reauth when GitHub refuses a revoked token, deleting nothing', async () => {
    fake.revokeToken(token);
    const run = await sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    const installation = await api.request('GET', `/v1/installations/${installationId}`, { token: acme.token });
    expect(installation.body.installation).toMatchObject({
      state: 'needs_reauth',
      stateReason: expect.stringContaining('401'),
    });
    expect(await entities('githubRepository')).toHaveLength(120);
    expect(api.logs.join('')).not.toContain(token);
  });
});
