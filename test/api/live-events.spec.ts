import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { FakeGithub, githubRepositoryResources } from '@mooring/integrations/testing';
import { HookRegistrations, type LiveEventApplier } from '@mooring/live-events';
import { freePort } from '../../tools/lib/wait.mjs';
import { adminQuery } from '../support/admin-query.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier } from '../support/live-event-runtime.js';
import { entityOf, expectResyncAgrees, resyncInProcess } from '../support/resync-in-process.js';

// Live events from GitHub end to end, in one process: the api's edge receives deliveries the fake
// GitHub signs and sends to the organization webhook Mooring registered, and the worker's applier
// (run here) writes them through the installation's mapping. Every event is compared with what
// the next resync writes: the resync must find nothing to change.
describe('GitHub live events, end to end', () => {
  const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
  const weakToken = 'ghp_fakeGithubTokenWithoutHookScope0000';
  const org = 'octo-org';
  let fake: FakeGithub;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;
  let applier: LiveEventApplier;

  const sync = () => resyncInProcess(api, acme, installationId);
  const apply = () => applier.drain(acme.orgId, installationId, new AbortController().signal);
  const entity = (blueprint: string, identifier: string) => entityOf(api, acme, blueprint, identifier);
  const liveRows = async () =>
    (
      await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM live_events WHERE org_id = $1 AND accepted', [
        acme.orgId,
      ])
    )[0]!.n;
  const deliver = async (event: string, payload: unknown, options: Parameters<FakeGithub['deliver']>[3] = {}) => {
    const answers = await fake.deliver(org, event, payload, options);
    expect(answers).toHaveLength(1);
    return answers[0]!;
  };
  const repository = (i: number) => fake.read(token, `/repos/${org}/repo-${i}`);

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 6, members: 8, teams: 2 } });
    fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org, admin:org_hook', organizations: [org] });
    fake.addToken(weakToken, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
    const port = await freePort();
    api = await TestApi.start({
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      API_PORT: String(port),
      PUBLIC_API_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_BODY_LIMIT_BYTES: '65536',
    });
    acme = await api.createOrganization('acme');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
    applier = liveEventApplier(api);
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
  });

  it('creates the hook at install and registers an organization webhook with its own secret', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'github', name: 'GitHub', settings: { token, host: fake.host, organization: org } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    expect(created.body.installation.connectedThrough).toBeNull();
    const pending = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token });
    expect(pending.body.hook).toMatchObject({
      supported: true,
      deliveredThrough: 'installation-hook',
      status: 'off',
      statusReason: expect.stringContaining('registering'),
    });
    expect(pending.body.hook.hookUrl).toMatch(new RegExp(`^${api.baseUrl}/v1/hooks/h_[A-Za-z0-9_-]{43}$`));
    expect(pending.body.hook.hookUrl).not.toContain(installationId);

    // What the worker's register job does.
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installationId);
    await api.app.get(HookRegistrations).register(acme.orgId, installationId, 'github', connection);
    const live = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token });
    expect(live.body.hook).toMatchObject({ status: 'on', statusReason: null });
    expect(fake.webhooks).toHaveLength(1);
    expect(fake.webhooks[0]).toMatchObject({ organization: org, url: live.body.hook.hookUrl });
    expect(fake.webhooks[0]!.events).toEqual(expect.arrayContaining(['repository', 'push', 'pull_request', 'organization']));
    expect(fake.webhooks[0]!.secret).toHaveLength(43);
    expect(JSON.stringify(live.body)).not.toContain(fake.webhooks[0]!.secret);

    expect((await sync()).status).toBe('completed');
  });

  it('refuses forged, unsigned and oversized deliveries and unknown hooks, writing nothing but the log', async () => {
    const payload = { action: 'edited', repository: { ...(await repository(1)), description: 'forged' } };
    const forged = await deliver('repository', payload, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error).toMatchObject({ code: 'WEBHOOK_REFUSED', details: { reason: 'bad_signature' } });
    const unsigned = await deliver('repository', payload, { signed: false });
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.body).error.details.reason).toBe('missing_signature');
    const oversized = await deliver('repository', payload, { body: JSON.stringify({ ...payload, padding: 'x'.repeat(70_000) }) });
    expect(oversized.status).toBe(413);
    expect((await api.fetch('/v1/hooks/h_doesNotExist', { method: 'POST', body: '{}' })).status).toBe(404);

    expect(await liveRows()).toBe(0);
    const log = await api.request('GET', `/v1/installations/${installationId}/live-events/log`, { token: acme.token });
    expect(log.body.entries.map((e: { status: string; reason: string | null }) => [e.status, e.reason])).toEqual([
      ['refused', 'missing_signature'],
      ['refused', 'bad_signature'],
    ]);
    await apply();
    const counts = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token });
    const perDelivery = counts.body.counts.find((c: { kind: string | null }) => c.kind === null);
    expect(perDelivery.lastHour).toMatchObject({ received: 0, refused: 2 });
  });

  it('acknowledges a redelivered delivery id without applying it twice', async () => {
    const payload = { action: 'edited', repository: await repository(2) };
    const first = await deliver('repository', payload, { deliveryId: '5f2c7a30-91b1-11f0-8a6e-3d1c0b7e9a41' });
    const again = await deliver('repository', payload, { deliveryId: '5f2c7a30-91b1-11f0-8a6e-3d1c0b7e9a41' });
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(JSON.parse(again.body)).toEqual({ status: 'duplicate', deliveryId: '5f2c7a30-91b1-11f0-8a6e-3d1c0b7e9a41' });
    await apply();
    const rows = await adminQuery<{ status: string }>(
      api.db,
      `SELECT status FROM live_events WHERE org_id = $1 AND delivery_id = '5f2c7a30-91b1-11f0-8a6e-3d1c0b7e9a41' ORDER BY id`,
      [acme.orgId],
    );
    expect(rows.map((r) => r.status)).toEqual(['applied', 'duplicate']);
  });

  it('applies a repository edit and a push to the default branch as the next resync would', async () => {
    const edited = await repository(3);
    fake.patchItem(edited.id, { description: 'Payments, now with retries' });
    expect((await deliver('repository', { action: 'edited', repository: await repository(3) })).status).toBe(202);
    await apply();
    expect((await entity('githubRepository', `${org}/repo-3`))?.properties['description']).toBe('Payments, now with retries');
    await expectResyncAgrees(api, acme, installationId);

    // A push carries no repository fields worth trusting: the repository is read again, for a push to
    // its default branch only (another branch's push leaves the repository as it was).
    fake.patchItem(edited.id, { description: 'Pushed' });
    const pushed = { ...(await repository(3)), description: 'stale in the payload' };
    expect(pushed.default_branch).toBe('main');
    expect((await deliver('push', { ref: 'refs/heads/feature-1', repository: pushed })).status).toBe(202);
    await apply();
    expect((await entity('githubRepository', `${org}/repo-3`))?.properties['description']).toBe('Payments, now with retries');
    expect((await deliver('push', { ref: 'refs/heads/main', repository: pushed })).status).toBe(202);
    await apply();
    expect((await entity('githubRepository', `${org}/repo-3`))?.properties['description']).toBe('Pushed');
    await expectResyncAgrees(api, acme, installationId);
  });

  it('applies pull requests, issues, releases, workflow runs, deployments and teams as the next resync would', async () => {
    const repo = await repository(4);
    const pull = await fake.read(token, `/repos/${org}/repo-4/pulls/1`);
    fake.patchItem(pull.id, { title: 'Retry card declines', updated_at: new Date(Date.now() - 60_000).toISOString() });
    await deliver('pull_request', {
      action: 'edited',
      number: 1,
      pull_request: await fake.read(token, `/repos/${org}/repo-4/pulls/1`),
      repository: repo,
    });

    const issue = await fake.read(token, `/repos/${org}/repo-4/issues/3`);
    fake.patchItem(issue.id, { title: 'Checkout times out', updated_at: new Date().toISOString() });
    await deliver('issues', {
      action: 'edited',
      issue: await fake.read(token, `/repos/${org}/repo-4/issues/3`),
      repository: repo,
    });

    const [release] = await fake.read(token, `/repos/${org}/repo-4/releases`);
    fake.patchItem(release.id, { name: 'Release 1.0.1' });
    await deliver('release', { action: 'edited', release: { ...release, name: 'Release 1.0.1' }, repository: repo });

    const { workflow_runs: runs } = await fake.read(token, `/repos/${org}/repo-4/actions/runs`);
    fake.patchItem(runs[0].id, { conclusion: 'failure', updated_at: new Date().toISOString() });
    await deliver('workflow_run', {
      action: 'completed',
      workflow_run: await fake.read(token, `/repos/${org}/repo-4/actions/runs/${runs[0].id}`),
      repository: repo,
    });

    const [deployment] = await fake.read(token, `/repos/${org}/repo-4/deployments`);
    fake.patchItem(deployment.id, { environment: 'qa', updated_at: new Date().toISOString() });
    await deliver('deployment_status', {
      action: 'created',
      deployment_status: { id: 1, state: 'success', environment: 'qa' },
      deployment, // as it was when the status was created: the deployment is read again
      repository: repo,
    });

    const team = await fake.read(token, `/orgs/${org}/teams/team-1`);
    fake.patchItem(team.id, { description: 'Payments platform' });
    await deliver('membership', {
      action: 'added',
      scope: 'team',
      member: { login: `${org}-user-1` },
      team,
      organization: { login: org },
    });

    await apply();
    expect((await entity('githubPullRequest', `${org}/repo-4#1`))?.title).toBe('Retry card declines');
    expect((await entity('githubIssue', `${org}/repo-4#3`))?.title).toBe('Checkout times out');
    expect((await entity('githubRelease', String(release.id)))?.title).toBe('Release 1.0.1');
    expect((await entity('githubWorkflowRun', String(runs[0].id)))?.properties['conclusion']).toBe('failure');
    expect((await entity('githubDeployment', String(deployment.id)))?.properties['environment']).toBe('qa');
    expect((await entity('githubTeam', `${org}/team-1`))?.properties['description']).toBe('Payments platform');
    const log = await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=6`, { token: acme.token });
    expect(
      log.body.entries.map((e: { status: string }) => e.status),
      JSON.stringify(log.body.entries),
    ).toEqual(Array(6).fill('applied'));
    // Counted per kind in the sync status, beside the runs'.
    const status = await api.request('GET', `/v1/installations/${installationId}/sync-status`, { token: acme.token });
    const byKind = Object.fromEntries(
      status.body.liveEvents.map((c: { kind: string | null; lastHour: Record<string, number> }) => [c.kind ?? '', c.lastHour]),
    );
    for (const kind of ['pull-request', 'issue', 'release', 'workflow-run', 'deployment', 'team']) {
      expect(byKind[kind], kind).toMatchObject({ applied: 1, failed: 0 });
    }
    expect(byKind['']!.received).toBeGreaterThanOrEqual(6);
    await expectResyncAgrees(api, acme, installationId);
  });

  it('never applies an older version of an item over a newer one', async () => {
    const repo = await repository(5);
    const newer = await fake.read(token, `/repos/${org}/repo-5/pulls/1`);
    fake.patchItem(newer.id, { title: 'Newest title', updated_at: new Date().toISOString() });
    await deliver('pull_request', {
      action: 'edited',
      number: 1,
      pull_request: await fake.read(token, `/repos/${org}/repo-5/pulls/1`),
      repository: repo,
    });
    await apply();
    const older = { ...newer, title: 'An older title', updated_at: new Date(Date.now() - 3_600_000).toISOString() };
    await deliver('pull_request', { action: 'edited', number: 1, pull_request: older, repository: repo });
    await apply();
    expect((await entity('githubPullRequest', `${org}/repo-5#1`))?.title).toBe('Newest title');
    const [latest] = (
      await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=1`, { token: acme.token })
    ).body.entries;
    expect(latest.changes).toEqual([{ kind: 'pull-request', itemId: `${org}/repo-5#1`, action: 'upsert', result: 'superseded' }]);
  });

  it('deletes only after GitHub confirms the item is gone, and only what the installation owns', async () => {
    const repo = await repository(4);
    const issue = await fake.read(token, `/repos/${org}/repo-4/issues/4`);
    // Still there at GitHub: the deletion is not applied.
    await deliver('issues', { action: 'deleted', issue, repository: repo });
    await apply();
    expect(await entity('githubIssue', `${org}/repo-4#4`)).toBeDefined();

    fake.removeItem(issue.id);
    await deliver('issues', { action: 'deleted', issue, repository: repo });
    await apply();
    expect(await entity('githubIssue', `${org}/repo-4#4`)).toBeUndefined();

    // The same identifier written by the API (not this installation's): a deletion event leaves it.
    await api.request('POST', '/v1/blueprints/githubIssue/entities', {
      token: acme.token,
      body: { identifier: `${org}/repo-4#99`, title: 'Tracked by hand', relations: { repository: `${org}/repo-4` } },
    });
    await deliver('issues', { action: 'deleted', issue: { ...issue, number: 99, id: 99 }, repository: repo });
    await apply();
    expect((await entity('githubIssue', `${org}/repo-4#99`))?.title).toBe('Tracked by hand');
    await api.request('DELETE', `/v1/blueprints/githubIssue/entities/${encodeURIComponent(`${org}/repo-4#99`)}`, {
      token: acme.token,
    });
    await expectResyncAgrees(api, acme, installationId);
  });

  it('retries reading an item through GitHub’s transient failures, and marks the delivery failed with the reason when they last', async () => {
    const repo = await repository(5);
    const latest = async () =>
      (await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=1`, { token: acme.token })).body
        .entries[0];

    // A 502, a dropped connection and a secondary rate limit (429, Retry-After) before the 404: retried, then gone.
    const gone = await fake.read(token, `/repos/${org}/repo-5/issues/3`);
    fake.removeItem(gone.id);
    fake.failRequests(`/repos/${org}/repo-5/issues/3`, [502, 'drop', 429]);
    await deliver('issues', { action: 'deleted', issue: gone, repository: repo });
    await apply();
    expect(fake.pendingFailures(`/repos/${org}/repo-5/issues/3`)).toBe(0);
    expect(await entity('githubIssue', `${org}/repo-5#3`)).toBeUndefined();
    expect(await latest()).toMatchObject({ status: 'applied', reason: null });

    // GitHub failing past every retry: nothing deleted, the delivery failed with GitHub's answer as the reason.
    const kept = await fake.read(token, `/repos/${org}/repo-5/issues/4`);
    fake.removeItem(kept.id);
    fake.failRequests(
      `/repos/${org}/repo-5/issues/4`,
      Array.from({ length: 10 }, () => 503 as const),
    );
    await deliver('issues', { action: 'deleted', issue: kept, repository: repo });
    await apply();
    expect(await entity('githubIssue', `${org}/repo-5#4`)).toBeDefined();
    expect(await latest()).toMatchObject({ status: 'failed', reason: expect.stringContaining('503') });
    fake.failRequests(`/repos/${org}/repo-5/issues/4`, []);
    await deliver('issues', { action: 'deleted', issue: kept, repository: repo });
    await apply();
    expect(await entity('githubIssue', `${org}/repo-5#4`)).toBeUndefined();
  });

  it('applies organization membership changes to users', async () => {
    const login = `${org}-user-7`;
    const member = (await fake.read(token, `/orgs/${org}/members`)).find((m: { login: string }) => m.login === login);
    fake.removeItem(member.id);
    await deliver('organization', {
      action: 'member_removed',
      membership: { state: 'active', role: 'member', user: member },
      organization: { login: org },
    });
    await apply();
    expect(await entity('githubUser', login)).toBeUndefined();
    fake.restoreItem(member.id);
    await deliver('organization', {
      action: 'member_added',
      membership: { state: 'active', role: 'member', user: member },
      organization: { login: org },
    });
    await apply();
    expect(await entity('githubUser', login)).toBeDefined();
    // Deleting the user took it out of its teams' relations (as deleting an entity does); the resync
    // writes those back now that it is a member again.
    await expectResyncAgrees(api, acme, installationId, ['team']);
  });

  it('applies branches, tags, files, deployment statuses, collaborators and alerts as the next resync would', async () => {
    const installation = await api.request('GET', `/v1/installations/${installationId}`, { token: acme.token });
    const mapping = installation.body.installation.mapping;
    const remapped = await api.request('PATCH', `/v1/installations/${installationId}`, {
      token: acme.token,
      body: { mapping: { ...mapping, resources: [...mapping.resources, ...githubRepositoryResources] } },
    });
    expect(remapped.status, JSON.stringify(remapped.body)).toBe(200);
    expect((await sync()).status).toBe('completed');
    const name = `${org}/repo-2`;
    const repo = await repository(2);
    const around = {
      repository: repo,
      organization: { login: org, id: 1000 },
      sender: { login: 'octocat', id: 1, type: 'User' },
    };
    expect(await entity('githubFile', `${name}:CODEOWNERS`)).toBeDefined();
    expect(await entity('githubBranch', `${name}:feature-1`)).toBeDefined();

    // A push to the default branch: the branch's head, and the chosen files it changed (a path not chosen costs nothing).
    const head = 'c0ffee0000000000000000000000000000000001';
    fake.setRepositoryItem(name, '/branches', 'main', {
      commit: { sha: head, url: `https://api.github.com/repos/${name}/commits/${head}` },
    });
    fake.setFile(name, 'README.md', '# Payments\n\nNow with retries.\n');
    fake.setFile(name, 'CODEOWNERS', null);
    const commit = {
      id: head,
      tree_id: 'c0ffee0000000000000000000000000000000002',
      distinct: true,
      message: 'Document retries',
      timestamp: '2026-09-03T16:02:10+02:00',
      url: `https://github.com/${name}/commit/${head}`,
      author: { name: 'Octo Cat', email: 'octocat@users.example', username: 'octocat' },
      committer: { name: 'Octo Cat', email: 'octocat@users.example', username: 'octocat' },
      added: ['docs/retries.md'],
      removed: ['CODEOWNERS'],
      modified: ['README.md'],
    };
    const push = (ref: string, fields: Record<string, unknown> = {}) => ({
      ref,
      before: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
      after: head,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `https://github.com/${name}/compare/1a2b3c4d5e6f...c0ffee000000`,
      commits: [commit],
      head_commit: commit,
      pusher: { name: 'octocat', email: 'octocat@users.example' },
      ...around,
      ...fields,
    });
    expect((await deliver('push', push('refs/heads/main'))).status).toBe(202);

    // Branches and tags created and deleted (a branch name may hold `/`); a deletion GitHub does not confirm is not applied.
    const ref = (sha: string) => ({ sha, url: `https://api.github.com/repos/${name}/commits/${sha}` });
    fake.setRepositoryItem(name, '/branches', 'release/2.0', {
      name: 'release/2.0',
      commit: ref(head),
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `https://api.github.com/repos/${name}/branches/release/2.0/protection`,
    });
    const created = { master_branch: 'main', description: null, pusher_type: 'user', ...around };
    await deliver('create', { ref: 'release/2.0', ref_type: 'branch', ...created });
    fake.setRepositoryItem(name, '/tags', 'v2.0.0', {
      name: 'v2.0.0',
      commit: ref(head),
      zipball_url: `https://api.github.com/repos/${name}/zipball/refs/tags/v2.0.0`,
      tarball_url: `https://api.github.com/repos/${name}/tarball/refs/tags/v2.0.0`,
      node_id: 'REF_kwDOv2.0.0',
    });
    await deliver('create', { ref: 'v2.0.0', ref_type: 'tag', ...created });
    await deliver('delete', { ref: 'feature-1', ref_type: 'branch', pusher_type: 'user', ...around });
    await apply();
    expect(await entity('githubBranch', `${name}:feature-1`)).toBeDefined();
    fake.setRepositoryItem(name, '/branches', 'feature-1', null);
    fake.setRepositoryItem(name, '/tags', 'v1.0.0', null);
    await deliver('push', push('refs/heads/feature-1', { deleted: true, after: '0'.repeat(40), commits: [], head_commit: null }));
    await deliver('delete', { ref: 'v1.0.0', ref_type: 'tag', pusher_type: 'user', ...around });

    // A new deployment status; a collaborator added and one removed.
    const [deployment] = await fake.read(token, `/repos/${name}/deployments`);
    const [latest] = await fake.read(token, `/repos/${name}/deployments/${deployment.id}/statuses`);
    const status = {
      ...latest,
      id: 9_100_001,
      state: 'failure',
      description: 'Rolled back',
      created_at: new Date().toISOString(),
    };
    fake.setRepositoryItem(name, `/deployments/${deployment.id}/statuses`, status.id, status);
    await deliver('deployment_status', { action: 'created', deployment_status: status, deployment, ...around });
    const members = await fake.read(token, `/orgs/${org}/members`);
    const [staying, leaving] = await fake.read(token, `/repos/${name}/collaborators`);
    const joining = members.find((m: { login: string }) => m.login === `${org}-user-5`);
    fake.setRepositoryItem(name, '/collaborators', joining.login, {
      ...joining,
      email: null,
      name: null,
      permissions: { pull: true, triage: true, push: true, maintain: false, admin: false },
      role_name: 'write',
    });
    await deliver('member', { action: 'added', member: joining, changes: { permission: { to: 'write' } }, ...around });
    fake.setRepositoryItem(name, '/collaborators', leaving.login, null);
    await deliver('member', { action: 'removed', member: leaving, ...around });

    // A Dependabot alert fixed (the mapping lists open ones: it goes) and a new code scanning alert.
    fake.setRepositoryItem(name, '/dependabot/alerts', 1, { state: 'fixed', fixed_at: new Date().toISOString() });
    const fixed = await fake.read(token, `/repos/${name}/dependabot/alerts/1`);
    await deliver('dependabot_alert', { action: 'fixed', alert: fixed, ...around });
    const [first] = await fake.read(token, `/repos/${name}/code-scanning/alerts`);
    fake.setRepositoryItem(name, '/code-scanning/alerts', 2, { ...first, number: 2, created_at: new Date().toISOString() });
    await deliver('code_scanning_alert', {
      action: 'created',
      alert: { ...first, number: 2 },
      ref: 'refs/heads/main',
      commit_oid: head,
      ...around,
    });
    await apply();

    expect((await entity('githubBranch', `${name}:main`))?.properties['headSha']).toBe(head);
    expect((await entity('githubFile', `${name}:README.md`))?.properties['content']).toBe('# Payments\n\nNow with retries.\n');
    expect(await entity('githubFile', `${name}:CODEOWNERS`)).toBeUndefined();
    expect(await entity('githubBranch', `${name}:release/2.0`)).toBeDefined();
    expect(await entity('githubBranch', `${name}:feature-1`)).toBeUndefined();
    expect((await entity('githubTag', `${name}:v2.0.0`))?.properties['sha']).toBe(head);
    expect(await entity('githubTag', `${name}:v1.0.0`)).toBeUndefined();
    expect((await entity('githubDeploymentStatus', String(status.id)))?.properties['state']).toBe('failure');
    expect((await entity('githubCollaborator', `${name}:${joining.login}`))?.properties['role']).toBe('write');
    expect(await entity('githubCollaborator', `${name}:${leaving.login}`)).toBeUndefined();
    expect(await entity('githubCollaborator', `${name}:${staying.login}`)).toBeDefined();
    expect(await entity('githubDependabotAlert', `${name}#1`)).toBeUndefined();
    expect(await entity('githubCodeScanningAlert', `${name}#2`)).toBeDefined();
    const log = await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=11`, { token: acme.token });
    expect(
      log.body.entries.map((e: { status: string }) => e.status),
      JSON.stringify(log.body.entries),
    ).toEqual(Array(11).fill('applied'));
    await expectResyncAgrees(api, acme, installationId);
  }, 180_000);

  it('drops deliveries while the installation is disabled, and says so', async () => {
    await api.request('PATCH', `/v1/installations/${installationId}`, { token: acme.token, body: { enabled: false } });
    const edited = await repository(0);
    fake.patchItem(edited.id, { description: 'While disabled' });
    await deliver('repository', { action: 'edited', repository: await repository(0) });
    await apply();
    expect((await entity('githubRepository', `${org}/repo-0`))?.properties['description']).not.toBe('While disabled');
    const [latest] = (
      await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=1`, { token: acme.token })
    ).body.entries;
    expect(latest).toMatchObject({ status: 'dropped', reason: expect.stringContaining('disabled') });
    await api.request('PATCH', `/v1/installations/${installationId}`, { token: acme.token, body: { enabled: true } });
  });

  it('rotates the secret: the previous one stays valid for the overlap, the webhook gets the new one, audited', async () => {
    const previous = fake.webhooks[0]!.secret;
    const rotated = await api.request('POST', `/v1/installations/${installationId}/live-events/rotate-secret`, {
      token: acme.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecretValidUntil).not.toBeNull();
    // Mooring gives GitHub the new secret: the answer never carries it.
    expect(rotated.body.registersItself).toBe(true);
    expect(rotated.body).not.toHaveProperty('secret');
    // Until the worker registers again, GitHub still signs with the previous secret: accepted.
    expect((await deliver('repository', { action: 'edited', repository: await repository(1) })).status).toBe(202);
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installationId);
    await api.app.get(HookRegistrations).register(acme.orgId, installationId, 'github', connection);
    expect(fake.webhooks).toHaveLength(1);
    expect(fake.webhooks[0]!.secret).not.toBe(previous);
    expect((await deliver('repository', { action: 'edited', repository: await repository(1) })).status).toBe(202);
    // A delivery signed with the previous secret is still accepted during the overlap, and a made-up one never.
    expect(
      (await deliver('repository', { action: 'edited', repository: await repository(1) }, { secret: previous })).status,
    ).toBe(202);
    expect(
      (await deliver('repository', { action: 'edited', repository: await repository(1) }, { secret: 'x'.repeat(43) })).status,
    ).toBe(401);
    await apply();
    const audit = await api.request('GET', '/v1/audit-log', { token: acme.token });
    expect(audit.body.events.map((e: { action: string }) => e.action)).toContain('installation.webhook_secret_rotated');
    expect(JSON.stringify(audit.body)).not.toContain(previous);
  });

  it('installs without live events when the token may not create webhooks, saying why', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'github',
        name: 'GitHub (read only)',
        settings: { token: weakToken, host: fake.host, organization: org },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.installation.id as string;
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, id);
    await api.app.get(HookRegistrations).register(acme.orgId, id, 'github', connection);
    const live = await api.request('GET', `/v1/installations/${id}/live-events`, { token: acme.token });
    expect(live.body.hook).toMatchObject({ status: 'off', statusReason: expect.stringContaining('admin:org_hook') });
    expect(fake.webhooks).toHaveLength(1);
  });

  it('removes the webhook from GitHub when the installation is deleted', async () => {
    expect((await api.request('DELETE', `/v1/installations/${installationId}`, { token: acme.token })).status).toBe(200);
    expect(fake.webhooks).toHaveLength(0);
  });
});
