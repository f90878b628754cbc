import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeGitlab, LoopbackServer } from '@mooring/integrations/testing';
import type { SyncRunRecord } from '@mooring/persistence';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { HeadlessBrowser } from '../support/headless-browser.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { resyncInProcess } from '../support/resync-in-process.js';

// GitLab end to end: installed through the API with an access token and a self-managed host served
// under a relative root (`/gitlab`, the API at `/gitlab/api/v4`), or by OAuth with the
// organization's own OAuth application on that instance; synced by the engine through the
// production connection (SSRF-guarded fetch, stored credentials) against the fake GitLab, with
// keyset and offset paging, a rate limit, a project refusing its pipelines and a revoked token.
describe('GitLab integration, end to end', () => {
  const token = 'glpat-e2eSyncToken0123456789';
  const gitlab = IntegrationRegistry.fromConfig({ fakeEnabled: false }).get('gitlab');
  let fake: FakeGitlab;
  let webApp: LoopbackServer;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;

  const sync = (id = installationId) => resyncInProcess(api, acme, id);
  const entities = async (blueprint: string, id = installationId) =>
    adminQuery<{ identifier: string; title: string; properties: Record<string, unknown>; relations: Record<string, unknown> }>(
      api.db,
      'SELECT identifier, title, properties, relations FROM entities WHERE org_id = $1 AND blueprint = $2 AND installation_id = $3 ORDER BY identifier',
      [acme.orgId, blueprint, id],
    );
  const written = async (run: SyncRunRecord) =>
    (
      await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM entities WHERE org_id = $1 AND updated_at >= $2', [
        acme.orgId,
        run.startedAt,
      ])
    )[0]!.n;
  const counts = (run: SyncRunRecord) => Object.fromEntries(run.resources.map((r) => [r.kind, r.fetched]));
  const failures = (run: SyncRunRecord) => JSON.stringify(run.resources.map((r) => [r.kind, r.status, r.error, r.errorSamples]));

  beforeAll(async () => {
    // 120 projects in two subgroups and their nested subgroups: listings of two pages of 100.
    fake = await FakeGitlab.start({
      relativeRoot: '/gitlab',
      shape: { projects: 120, subgroups: 2, members: 5 },
      latencyMs: 1,
      // Self-managed: the instance's own limit, far above what these runs ask.
      rateLimit: 1_000_000,
    });
    fake.addToken(token, { username: 'sync-bot', scopes: ['read_api'] });
    webApp = await LoopbackServer.start((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Back in the web app</p>');
    });
    const port = await freePort();
    api = await TestApi.start({
      API_PORT: String(port),
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      OAUTH_REDIRECT_URL: `http://127.0.0.1:${port}/v1/oauth/callback`,
      OAUTH_RETURN_URL_ORIGINS: webApp.origin,
    });
    acme = await api.createOrganization('acme');
    expect((await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
    await webApp?.close();
  });

  it('installs with a token and a self-managed host, checking the token’s scopes, and creates the default blueprints and mapping', async () => {
    fake.addToken('glpat-readUserOnly', { username: 'sync-bot', scopes: ['read_user'] });
    const refused = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'gitlab',
        name: 'GitLab',
        settings: { token: 'glpat-readUserOnly', host: fake.host, group: 'harbor' },
      },
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(JSON.stringify(refused.body.error)).toContain('read_api');

    fake.clearRequests();
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'gitlab', name: 'GitLab', settings: { token, host: fake.host, group: 'harbor' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    expect(created.body.installation.mapping).toEqual(gitlab.defaultMapping);
    expect(fake.requests.map((r) => new URL(r.url, fake.host).pathname)).toEqual([
      '/gitlab/api/v4/user',
      '/gitlab/api/v4/personal_access_tokens/self',
      '/gitlab/api/v4/groups/harbor',
    ]);
    const blueprints = await api.request('GET', '/v1/blueprints', { token: acme.token });
    expect(blueprints.body.blueprints.map((b: { identifier: string }) => b.identifier).sort()).toEqual(
      gitlab.defaultBlueprints.map((b) => b.identifier).sort(),
    );
  });

  it('syncs every default kind across pages, under the /gitlab/api/v4 prefix, offset and keyset paging', async () => {
    fake.clearRequests();
    const run = await sync();
    expect(run.status, failures(run)).toBe('completed');
    expect(counts(run)).toEqual({
      member: 5 + 4, // the root group's people and one of each of the four subgroups' own
      'group-with-members': 5, // the root group, two subgroups and a subgroup of each
      project: 120,
      'merge-request': 240, // both states synced by default: opened and merged
      issue: 120, // the opened one of each project's two
      pipeline: 240,
      job: 480,
      deployment: 120,
      release: 120,
      tag: 120,
    });
    const paths = fake.apiPaths;
    expect(fake.requests.every((r) => r.url.startsWith('/gitlab/api/v4/'))).toBe(true);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    // Offset paging of the group's projects (subgroups included), to the second page by X-Next-Page.
    expect(paths.filter((p) => p.startsWith('/groups/harbor/projects?'))).toContainEqual(
      expect.stringMatching(/include_subgroups=true.*page=2/),
    );
    // Keyset paging of a project's jobs.
    expect(paths.find((p) => /^\/projects\/[^/]+\/jobs\?/.test(p))).toContain('pagination=keyset');
    expect(fake.stats.maxInFlight).toBeLessThanOrEqual(10);
  });

  it('writes entities with Port’s GitLab names and relations', async () => {
    const groups = await entities('gitlabGroup');
    expect(groups.find((g) => g.identifier === 'harbor')?.relations['parent']).toBeNull();
    expect(groups.find((g) => g.identifier === 'harbor/team-1/squad')).toMatchObject({
      title: 'Harbor / team-1 / Squad',
      // Direct members by default: the squad's own person (members of parent groups are theirs).
      relations: { parent: 'harbor/team-1', gitlabMembers: ['user-1140'] },
    });
    const projects = await entities('gitlabProject');
    expect(projects).toHaveLength(120);
    expect(projects.find((p) => p.identifier === 'harbor/team-1/squad/svc-3')).toMatchObject({
      title: 'svc-3',
      properties: { language: 'TypeScript', readme: '# svc-3\n\nService 3\n', defaultBranch: 'main', visibility: 'private' },
      relations: { group: 'harbor/team-1/squad' },
    });
    const mr = (await entities('gitlabMergeRequest')).find((m) => m.identifier === 'harbor/team-0/svc-4!2');
    expect(mr).toMatchObject({
      properties: { status: 'merged', creator: 'user-2', reviewers: ['user-3'], leadTimeHours: 5 },
      relations: { project: 'harbor/team-0/svc-4' },
    });
    const members = await entities('gitlabMember');
    expect(members.find((m) => m.identifier === 'user-2')).toMatchObject({ properties: { email: 'user-2@harbor.example' } });
    expect(members.some((m) => m.identifier.includes('_bot_'))).toBe(false);
    const [job] = (await entities('gitlabJob')).filter((j) => j.relations['project'] === 'harbor/team-0/svc-0');
    expect(String(job!.relations['pipeline'])).toMatch(/^27000\d+$/);
  });

  it('resyncs an unchanged GitLab writing no entity', async () => {
    const run = await sync();
    expect(run.status).toBe('completed');
    expect(await written(run)).toBe(0);
    expect(run.resources.every((r) => r.notChanged === r.fetched && r.ingested === 0)).toBe(true);
  });

  it('waits out GitLab’s 429 with Retry-After met mid-run and completes the run', async () => {
    fake.injectRateLimit({ afterRequests: 30, count: 3, retryAfterSeconds: 1 });
    const before = fake.stats.rateLimited;
    const run = await sync();
    expect(run.status, failures(run)).toBe('completed');
    expect(fake.stats.rateLimited - before).toBe(3);
    expect(counts(run)['job']).toBe(480);
  });

  it('skips only the project whose pipelines answer 403, deleting nothing', async () => {
    fake.forbid('harbor/team-0/svc-2', 'pipelines');
    const run = await sync();
    const pipelines = run.resources.find((r) => r.kind === 'pipeline')!;
    expect(pipelines).toMatchObject({ fetched: 238, fetchFailed: 1 });
    expect(JSON.stringify(pipelines.errorSamples)).toContain('harbor/team-0/svc-2');
    expect(run.resources.filter((r) => r.kind !== 'pipeline').every((r) => r.status === 'completed')).toBe(true);
    expect(run.deleted).toBe(0);
    // The refused project's pipelines are kept, not taken for gone.
    expect((await entities('gitlabPipeline')).filter((p) => p.relations['project'] === 'harbor/team-0/svc-2')).toHaveLength(2);
  });

  it('fails the run CREDENTIALS_INVALID when GitLab refuses a revoked token, deleting nothing', async () => {
    fake.revokeToken(token);
    const run = await sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    const installation = await api.request('GET', `/v1/installations/${installationId}`, { token: acme.token });
    expect(installation.body.installation).toMatchObject({ state: 'needs_reauth', stateReason: expect.stringContaining('401') });
    expect(await entities('gitlabProject')).toHaveLength(120);
    expect(api.logs.join('')).not.toContain(token);
  });

  it('installs by OAuth with the organization’s own OAuth application on the self-managed instance (PKCE), then syncs', async () => {
    const app = fake.addOAuthApp();
    const admin = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    const browser = new HeadlessBrowser();
    expect(
      (await browser.send('POST', `${api.baseUrl}/v1/auth/sign-in`, { email: admin.email, password: admin.password })).status,
    ).toBe(200);
    const started = await browser.send('POST', `${api.baseUrl}/v1/oauth/connect`, {
      integrationId: 'gitlab',
      name: 'GitLab (OAuth)',
      returnUrl: `${webApp.origin}/done`,
      settings: { host: fake.host, group: 'harbor' },
      oauthClient: app,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const authorization = new URL(started.body.authorizationUrl);
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${fake.host}/oauth/authorize`);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: app.clientId,
      response_type: 'code',
      scope: 'api',
      code_challenge_method: 'S256',
    });

    const landed = await browser.navigate(started.body.authorizationUrl);
    const outcome = Object.fromEntries(new URL(landed.url).searchParams);
    expect(outcome, landed.url).toMatchObject({ status: 'success', installationId: expect.any(String) });
    const exchange = fake.tokenRequests.find((form) => form['grant_type'] === 'authorization_code')!;
    expect(exchange).toMatchObject({ client_id: app.clientId, client_secret: app.clientSecret });
    expect(createHash('sha256').update(exchange['code_verifier']!).digest('base64url')).toBe(
      authorization.searchParams.get('code_challenge'),
    );

    const installation = (await api.request('GET', `/v1/installations/${outcome['installationId']}`, { token: acme.token })).body
      .installation;
    expect(installation).toMatchObject({ integrationId: 'gitlab', authMethod: 'oauth2', state: 'active' });
    expect(installation.oauth.account).toEqual({ id: '1200', name: 'user-0' });
    expect(JSON.stringify(installation)).not.toContain(app.clientSecret);

    const run = await sync(outcome['installationId']);
    expect(run.status, failures(run)).toBe('completed');
    expect(counts(run)['project']).toBe(120);
    expect(fake.oauthTokens).toContain(fake.requests.at(-1)!.headers.authorization!.slice('Bearer '.length));
  });
});
