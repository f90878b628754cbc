import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeGitlab, fakeGitlabProjectId as projectId, type HookEventInput } from '@mooring/integrations/testing';
import { HookRegistrations, type LiveEventApplier } from '@mooring/live-events';
import { freePort } from '../../tools/lib/wait.mjs';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier } from '../support/live-event-runtime.js';
import { entityOf, expectResyncAgrees, resyncInProcess } from '../support/resync-in-process.js';

// Live events from GitLab end to end, in one process: Mooring registers a group hook on the fake
// GitLab (a self-managed instance under /gitlab) at install; the fake sends GitLab's deliveries,
// with the hook's secret token in X-Gitlab-Token, to the api's edge; the worker's applier (run
// here) writes them through the installation's mapping. After every event the next resync must
// find nothing to change: each event is applied as the resync would write it. Each test awaits a
// whole resync besides its deliveries, so its deadline is sized for a loaded machine.
describe('GitLab live events, end to end', { timeout: 120_000 }, () => {
  const token = 'glpat-liveEventsOwner0123456';
  let fake: FakeGitlab;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;
  let applier: LiveEventApplier;
  const p0 = 'harbor/team-0/svc-0';

  const sync = () => resyncInProcess(api, acme, installationId);
  const apply = () => applier.drain(acme.orgId, installationId, new AbortController().signal);
  const entity = (blueprint: string, identifier: string) => entityOf(api, acme, blueprint, identifier);
  const deliver = async (input: HookEventInput, options: { token?: string | null } = {}) => {
    const { event, payload } = fake.hookEvent(input);
    const path = 'project' in input ? fake.projectPath(input.project) : 'group' in input ? input.group : input.fullPath;
    const answers = await fake.deliver(event, payload, path, options);
    expect(answers).toHaveLength(1);
    return answers[0]!;
  };
  const log = async (limit: number) =>
    (await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=${limit}`, { token: acme.token })).body
      .entries as Array<{ status: string; reason: string | null; changes: Array<{ kind: string; result: string }> }>;
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    fake = await FakeGitlab.start({ relativeRoot: '/gitlab', shape: { projects: 6 }, rateLimit: 1_000_000 });
    fake.addToken(token, { username: 'owner', scopes: ['api'] });
    const port = await freePort();
    api = await TestApi.start({
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      API_PORT: String(port),
      PUBLIC_API_URL: `http://127.0.0.1:${port}`,
    });
    acme = await api.createOrganization('acme');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
    applier = liveEventApplier(api);
  });

  afterAll(async () => {
    await api?.close();
    await fake?.close();
  });

  it('registers a group hook with the installation’s own secret token at install', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'gitlab', name: 'GitLab', settings: { token, host: fake.host, group: 'harbor' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;

    // What the worker's register job does.
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installationId);
    await api.app.get(HookRegistrations).register(acme.orgId, installationId, 'gitlab', connection);
    const live = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token });
    expect(live.body.hook).toMatchObject({ status: 'on', statusReason: null });
    expect(fake.hooks).toHaveLength(1);
    expect(fake.hooks[0]).toMatchObject({ scope: 'group', on: 'harbor', url: live.body.hook.hookUrl });
    expect(fake.hooks[0]!.token).toHaveLength(43);
    expect(JSON.stringify(live.body)).not.toContain(fake.hooks[0]!.token);
    expect((await sync()).status).toBe('completed');
  });

  it('refuses a forged or tokenless delivery before reading it, applying nothing', async () => {
    fake.change(`mr:${p0}!1`, { title: 'Forged title', updated_at: now() });
    const forged = await deliver({ type: 'merge_request', project: 0, iid: 1 }, { token: 'a-guessed-token' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).error).toMatchObject({ code: 'WEBHOOK_REFUSED', details: { reason: 'bad_signature' } });
    const unsigned = await deliver({ type: 'merge_request', project: 0, iid: 1 }, { token: null });
    expect(JSON.parse(unsigned.body).error.details.reason).toBe('missing_signature');
    await apply();
    expect((await entity('gitlabMergeRequest', `${p0}!1`))?.title).toBe(`Change 1 of ${p0}`);
    expect((await log(2)).map((e) => [e.status, e.reason])).toEqual([
      ['refused', 'missing_signature'],
      ['refused', 'bad_signature'],
    ]);
    fake.change(`mr:${p0}!1`, { title: `Change 1 of ${p0}` });
  });

  it('applies merge requests, issues, pipelines, jobs, deployments, releases, tags and pushes as the next resync would', async () => {
    const pipeline = projectId(0) * 1000 + 2;
    const job = pipeline * 10 + 2;
    const deployment = projectId(0) * 100 + 1;
    fake.change(`mr:${p0}!1`, { title: 'Retry card declines', state: 'merged', merged_at: now(), updated_at: now() });
    fake.change(`issue:${p0}#1`, { title: 'Checkout times out', updated_at: now() });
    fake.change(`pipeline:${p0}:${pipeline}`, { status: 'failed', updated_at: now() });
    fake.change(`job:${p0}:${job}`, { status: 'failed', failure_reason: 'script_failure', finished_at: now() });
    fake.change(`deployment:${p0}:${deployment}`, { status: 'failed', updated_at: now() });
    fake.change(`release:${p0}:v1.1.0`, { name: 'Release 1.1.0 (hotfix)' });
    fake.change(`tag:${p0}:v1.1.0`, { message: 'Signed tag' });
    fake.change(`project:${p0}`, { description: 'Pushed and described', last_activity_at: now() });
    for (const event of [
      { type: 'merge_request', project: 0, iid: 1, action: 'merge' },
      { type: 'issue', project: 0, iid: 1 },
      { type: 'pipeline', project: 0, id: pipeline },
      { type: 'job', project: 0, id: job },
      { type: 'deployment', project: 0, id: deployment },
      { type: 'release', project: 0, tag: 'v1.1.0', action: 'update' },
      { type: 'tag_push', project: 0, ref: 'v1.1.0' },
      { type: 'push', project: 0, ref: 'main' },
    ] satisfies HookEventInput[]) {
      expect((await deliver(event)).status, JSON.stringify(event)).toBe(202);
    }
    await apply();

    expect(await entity('gitlabMergeRequest', `${p0}!1`)).toMatchObject({
      title: 'Retry card declines',
      properties: { status: 'merged' },
    });
    expect((await entity('gitlabIssue', `${p0}#1`))?.title).toBe('Checkout times out');
    expect((await entity('gitlabPipeline', String(pipeline)))?.properties['status']).toBe('failed');
    expect((await entity('gitlabJob', String(job)))?.properties).toMatchObject({
      status: 'failed',
      failureReason: 'script_failure',
    });
    expect((await entity('gitlabDeployment', String(deployment)))?.properties['status']).toBe('failed');
    expect((await entity('gitlabRelease', `${p0}@v1.1.0`))?.title).toBe('Release 1.1.0 (hotfix)');
    expect((await entity('gitlabTag', `${p0}@v1.1.0`))?.properties['message']).toBe('Signed tag');
    expect((await entity('gitlabProject', p0))?.properties['description']).toBe('Pushed and described');
    const entries = await log(8);
    expect(
      entries.map((e) => e.status),
      JSON.stringify(entries),
    ).toEqual(Array(8).fill('applied'));
    await expectResyncAgrees(api, acme, installationId);
  });

  it('applies members and subgroups as the next resync would', async () => {
    fake.change('member:harbor:1201', { state: 'blocked' });
    fake.change('group:harbor/team-1/squad', { description: 'The squad of team 1' });
    expect((await deliver({ type: 'member', group: 'harbor', userId: 1201, eventName: 'user_update_for_group' })).status).toBe(
      202,
    );
    expect((await deliver({ type: 'subgroup', fullPath: 'harbor/team-1/squad', eventName: 'subgroup_create' })).status).toBe(202);
    await apply();
    expect((await entity('gitlabMember', 'user-1'))?.properties['state']).toBe('blocked');
    expect((await entity('gitlabGroup', 'harbor/team-1/squad'))?.properties['description']).toBe('The squad of team 1');
    await expectResyncAgrees(api, acme, installationId);
  });

  it('reads an item with the selector of the installation’s mapping, as its resync would', async () => {
    const gitlab = api.app.get(IntegrationRegistry).get('gitlab');
    const resources = (gitlab.defaultMapping['resources'] as Array<Record<string, any>>).map((resource) =>
      resource['kind'] === 'project' ? { ...resource, selector: { query: 'true', includeLanguages: false } } : resource,
    );
    const remapped = await api.request('PATCH', `/v1/installations/${installationId}`, {
      token: acme.token,
      body: { mapping: { ...gitlab.defaultMapping, resources } },
    });
    expect(remapped.status, JSON.stringify(remapped.body)).toBe(200);
    expect((await sync()).status).toBe('completed');
    expect((await entity('gitlabProject', p0))?.properties['language']).toBeNull();

    fake.change(`project:${p0}`, { description: 'Pushed again', last_activity_at: now() });
    expect((await deliver({ type: 'push', project: 0, ref: 'main' })).status).toBe(202);
    await apply();
    // Without the mapping's selector the project would be read with its languages again.
    expect((await entity('gitlabProject', p0))?.properties).toMatchObject({ description: 'Pushed again', language: null });
    await expectResyncAgrees(api, acme, installationId);
  });

  it('deletes a release, a tag and a project only once GitLab confirms they are gone', async () => {
    // Still there at GitLab: the deletion is not applied.
    await deliver({ type: 'release', project: 0, tag: 'v1.1.0', action: 'delete' });
    await apply();
    expect(await entity('gitlabRelease', `${p0}@v1.1.0`)).toBeDefined();
    expect((await log(1))[0]!.changes).toEqual([expect.objectContaining({ kind: 'release', result: 'kept_exists' })]);

    fake.change(`release:${p0}:v1.1.0`, null);
    fake.change(`tag:${p0}:v1.1.0`, null);
    await deliver({ type: 'release', project: 0, tag: 'v1.1.0', action: 'delete' });
    await deliver({ type: 'tag_push', project: 0, ref: 'v1.1.0', deleted: true });
    await apply();
    expect(await entity('gitlabRelease', `${p0}@v1.1.0`)).toBeUndefined();
    expect(await entity('gitlabTag', `${p0}@v1.1.0`)).toBeUndefined();
    await expectResyncAgrees(api, acme, installationId);

    const p5 = fake.projectPath(5);
    fake.change(`project:${p5}`, null);
    await deliver({ type: 'project', project: 5, eventName: 'project_destroy' });
    await apply();
    expect(await entity('gitlabProject', p5)).toBeUndefined();
  });
});
