import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { FakeToolServer, fakeIntegration } from '@mooring/integrations/testing';
import { DomainError } from '@mooring/platform';
import { SyncEngine } from '@mooring/sync';
import { adminQuery } from '../support/admin-query.js';
import { endedRecord } from '../support/run-outcome.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// The status API over real runs: installations made through the API, synced by the engine with the
// production connection against the fake tool, then read back through sync-status, syncs, events
// and the installations overview. Fake data: 3 teams, 10 services (tier i%3+1, go for 1 and 6),
// 30 deployments.
type Mapping = { resources: Array<Record<string, any>> } & Record<string, unknown>;

/** Services: 3 filtered out (tier 3), 2 fail to map (no identifier), 2 fail the schema (bad url). */
function mixedMapping(): Mapping {
  const mapping = structuredClone(fakeIntegration.defaultMapping) as unknown as Mapping;
  const service = mapping.resources[1]!;
  service['selector'] = { query: 'tier != 3' };
  service['port'].entity.mappings.identifier = 'language = "go" ? null : id';
  service['port'].entity.mappings.properties.url = 'tier = 2 ? "not a url" : url';
  return mapping;
}

describe('sync status, history, events and the overview', () => {
  const token = 'fake-tool-token-0123456789';
  let tool: FakeToolServer;
  let api: TestApi;
  let acme: TestOrganization;
  let initech: TestOrganization;
  let installationId: string;
  let initechInstallationId: string;
  const runs: string[] = [];

  const get = (path: string, org = acme) => api.request('GET', path, { token: org.token });
  const install = async (org: TestOrganization, name: string, mapping?: unknown) => {
    await api.request('PATCH', '/v1/organization', { token: org.token, body: { allowHttpHosts: true } });
    const created = await api.request('POST', '/v1/installations', {
      token: org.token,
      body: { integrationId: 'fake', name, settings: { baseUrl: tool.baseUrl, token }, ...(mapping ? { mapping } : {}) },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.installation.id as string;
  };
  const sync = async (org: TestOrganization, id: string) => {
    const engine = api.app.get(SyncEngine);
    const connections = api.app.get(IntegrationConnections);
    const run = await engine.createRun(org.orgId, id, 'manual');
    const finished = endedRecord(
      await engine.run({ orgId: org.orgId, installationId: id, runId: run.id }, (installation, signal) =>
        connections.forRecord(installation, signal),
      ),
    );
    runs.push(finished.id);
    return finished;
  };

  beforeAll(async () => {
    tool = await FakeToolServer.start({ token });
    // This spec drives every run itself through the engine, so installing must not queue one.
    const noResyncOnInstall = { requestResync: () => Promise.resolve() };
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' }, { ports: { resyncs: noResyncOnInstall } });
    acme = await api.createOrganization('acme');
    initech = await api.createOrganization('initech');
    installationId = await install(acme, 'mixed', mixedMapping());
    initechInstallationId = await install(initech, 'initech tool');
  });

  afterAll(async () => {
    await api.close();
    await tool.close();
  });

  it('answers 200 with no run and a tip before the first sync; the overview shows nothing yet', async () => {
    const status = await get(`/v1/installations/${installationId}/sync-status`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      installationId,
      run: null,
      tips: [expect.objectContaining({ code: 'NO_RUN_YET', severity: 'info' })],
      liveEvents: [],
    });
    expect((await get(`/v1/installations/${installationId}/syncs`)).body).toEqual({ syncs: [], next: null });
    const one = await get(`/v1/installations/${installationId}`);
    expect(one.body.installation).toMatchObject({
      sync: { lastRun: null, activeRun: null },
      entities: { total: 0, byBlueprint: {} },
    });
  });

  it('reports exact per-resource counts, error samples, the deletion decision and tips naming the fields', async () => {
    const run = await sync(acme, installationId);
    const status = await get(`/v1/installations/${installationId}/sync-status`);
    expect(status.status).toBe(200);
    const body = status.body;
    expect(body.run).toMatchObject({
      id: run.id,
      installationId,
      status: 'completed',
      trigger: 'manual',
      attempt: 1,
      error: null,
      durationMs: expect.any(Number),
    });
    expect(Date.parse(body.run.finishedAt) - Date.parse(body.run.startedAt)).toBe(body.run.durationMs);
    const [team, service, deployment] = body.run.resources;
    expect(team).toMatchObject({
      kind: 'team',
      kindIndex: 0,
      kindIdentifier: 'team-0',
      blueprint: 'fakeTeam',
      status: 'completed',
      extract: { fetched: 3, failed: 0 },
      transform: { transformed: 3, filteredOut: 0, failed: 0 },
      load: { ingested: 3, notChanged: 0, failed: 0 },
      errorSamples: [],
    });
    expect(service).toMatchObject({
      kind: 'service',
      kindIndex: 1,
      blueprint: 'fakeService',
      extract: { fetched: 10, failed: 0 },
      transform: { transformed: 5, filteredOut: 3, failed: 2 },
      load: { ingested: 3, notChanged: 0, failed: 2 },
    });
    for (const phase of ['extract', 'transform', 'load']) expect(service[phase].durationMs).toEqual(expect.any(Number));
    expect(service.errorSamples).toContainEqual({
      phase: 'load',
      reason: 'properties.url: must match format "uri"',
      field: 'properties.url',
      identifier: 'svc-4',
    });
    expect(deployment).toMatchObject({ kind: 'deployment', kindIndex: 2, extract: { fetched: 30 }, load: { ingested: 30 } });
    expect(body.run.reconciliation).toMatchObject({
      reingested: 0,
      deleted: 0,
      deleteFailed: 0,
      durationMs: expect.any(Number),
      deletion: { decision: 'skipped', reason: 'resource service-1 had 2 item(s) that failed to map' },
    });
    expect(body.tips.map((tip: { code: string }) => tip.code)).toEqual(['TRANSFORM_FAILED', 'INGEST_FAILED', 'DELETION_SKIPPED']);
    const [transform, ingest] = body.tips;
    expect(transform).toMatchObject({ kind: 'service', kindIndex: 1, severity: 'error' });
    expect(transform.message).toContain('resources[1].port.entity.mappings.identifier');
    expect(ingest.message).toContain("fakeService blueprint's schema (properties.url)");
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('shows a later run’s deletions, and any run of the installation by ?runId=', async () => {
    const mapping = await api.request('PATCH', `/v1/installations/${installationId}`, {
      token: acme.token,
      body: { mapping: fakeIntegration.defaultMapping },
    });
    expect(mapping.status).toBe(200);
    expect((await sync(acme, installationId)).status).toBe('completed');
    tool.remove('deployment', [0, 1]);
    const third = await sync(acme, installationId);

    const latest = (await get(`/v1/installations/${installationId}/sync-status`)).body;
    expect(latest.run.id).toBe(third.id);
    expect(latest.run.reconciliation).toMatchObject({
      deleted: 2,
      deleteFailed: 0,
      deletion: {
        decision: 'deleted',
        details: {
          threshold: 0.9,
          blueprints: expect.arrayContaining([{ blueprint: 'fakeDeployment', owned: 30, toDelete: 2, share: 2 / 30 }]),
        },
      },
    });
    expect(latest.run.resources[2]).toMatchObject({ extract: { fetched: 28 }, load: { ingested: 0, notChanged: 28 } });
    expect(latest.tips).toEqual([]);

    const first = await get(`/v1/installations/${installationId}/sync-status?runId=${runs[0]}`);
    expect(first.body.run).toMatchObject({ id: runs[0], resources: [{}, { transform: { filteredOut: 3 } }, {}] });

    const unknown = await get(`/v1/installations/${installationId}/sync-status?runId=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { resource: 'sync_run' } });
    const notUuid = await get(`/v1/installations/${installationId}/sync-status?runId=nope`);
    expect(notUuid.status).toBe(400);
    expect(JSON.stringify(notUuid.body.error.details)).toContain('runId');
  });

  it('pages the history newest first with an opaque cursor, each run with its totals', async () => {
    const engine = api.app.get(SyncEngine);
    const pending = [await engine.createRun(acme.orgId, installationId, 'schedule')]; // one active run at most
    const seen: Array<{ id: string; createdAt: string; status: string; totals: Record<string, number> }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { syncs: typeof seen; next: string | null }; status: number } = await get(
        `/v1/installations/${installationId}/syncs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.syncs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.syncs);
      cursor = page.body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen.map((run) => run.id).sort()).toEqual([...runs, ...pending.map((run) => run.id)].sort());
    const times = seen.map((run) => Date.parse(run.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen.slice(0, 1).map((run) => run.status)).toEqual(['pending']);
    expect(seen.find((run) => run.id === runs[0])!.totals).toEqual({
      fetched: 43,
      transformed: 38,
      filteredOut: 3,
      ingested: 36,
      notChanged: 0,
      failed: 4,
      deleted: 0,
    });
    expect(seen.find((run) => run.id === runs[2])!.totals).toMatchObject({ fetched: 41, deleted: 2, failed: 0 });

    for (const [query, field] of [
      ['cursor=garbage', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['sort=asc', 'sort'],
    ]) {
      const bad = await get(`/v1/installations/${installationId}/syncs?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(bad.body.error.details), query).toContain(field);
    }
  });

  it('adds the last run, the active run and entity counts to the data-sources overview', async () => {
    const list = await get('/v1/installations');
    expect(list.status).toBe(200);
    const [mixed] = list.body.installations;
    expect(mixed.id).toBe(installationId);
    expect(mixed.sync.lastRun).toMatchObject({
      id: runs[2],
      status: 'completed',
      trigger: 'manual',
      errorCode: null,
      totals: { fetched: 41, ingested: 0, notChanged: 41, failed: 0, deleted: 2 },
    });
    const history = (await get(`/v1/installations/${installationId}/syncs?limit=1`)).body.syncs;
    expect(mixed.sync.activeRun).toEqual({
      id: history[0].id,
      status: 'pending',
      createdAt: history[0].createdAt,
      startedAt: null,
    });
    const counted = await adminQuery<{ blueprint: string; n: number }>(
      api.db,
      'SELECT blueprint, count(*)::int AS n FROM entities WHERE installation_id = $1 GROUP BY blueprint',
      [installationId],
    );
    expect(mixed.entities.byBlueprint).toEqual(Object.fromEntries(counted.map((row) => [row.blueprint, row.n])));
    expect(mixed.entities.byBlueprint).toMatchObject({ fakeTeam: 3, fakeDeployment: 28 });
    expect(mixed.entities.total).toBe(counted.reduce((total, row) => total + row.n, 0));
    // Another organization's installations are not in the list.
    expect(list.body.installations.map((i: { id: string }) => i.id)).not.toContain(initechInstallationId);
  });

  it('serves a run’s event log oldest first, page by page', async () => {
    const all: Array<{ seq: string; type: string; level: string; message: string; details: Record<string, unknown> }> = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { events: typeof all; next: string | null } } = await get(
        `/v1/installations/${installationId}/syncs/${runs[2]}/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      all.push(...page.body.events);
      cursor = page.body.next;
    } while (cursor);
    expect(all.map((event) => event.type)).toEqual([
      'run.started',
      ...['team', 'service', 'deployment'].flatMap(() => ['resource.started', 'resource.completed']),
      'deletion.decided',
      'run.completed',
    ]);
    // Numbered within the run, 1, 2, 3…: nothing about other runs (or tenants) shows through.
    expect(all.map((event) => event.seq)).toEqual(all.map((_, index) => String(index + 1)));
    expect(all[0]).toMatchObject({
      level: 'info',
      details: { attempt: 1, trigger: 'manual', resources: ['team-0', 'service-1', 'deployment-2'] },
    });
    expect(all[6]).toMatchObject({
      type: 'resource.completed',
      details: { kind: 'deployment', counts: { fetched: 28, notChanged: 28 } },
    });
    expect(all[7]).toMatchObject({ details: { decision: 'deleted', deleted: 2 } });

    const firstRun = (await get(`/v1/installations/${installationId}/syncs/${runs[0]}/events`)).body.events;
    expect(firstRun[0]).toMatchObject({ seq: '1', type: 'run.started' });
    expect(
      firstRun.find(
        (event: { type: string; message: string }) => event.type === 'resource.completed' && event.message.startsWith('service'),
      ),
    ).toMatchObject({
      level: 'warn',
      details: { counts: { filteredOut: 3, transformFailed: 2, ingestFailed: 2 } },
    });
    expect(
      (
        await get(
          `/v1/installations/${installationId}/syncs/${runs[0]}/events?cursor=${Buffer.from('["x"]').toString('base64url')}`,
        )
      ).status,
    ).toBe(400);
    expect(JSON.stringify(api.responses)).not.toContain(token);
  });

  it('never shows one organization another’s status, history or events (404)', async () => {
    const foreignRun = runs[0]!;
    for (const path of [
      `/v1/installations/${installationId}/sync-status`,
      `/v1/installations/${installationId}/syncs`,
      `/v1/installations/${installationId}/syncs/${foreignRun}/events`,
      `/v1/installations/${initechInstallationId}/sync-status?runId=${foreignRun}`,
      `/v1/installations/${initechInstallationId}/syncs/${foreignRun}/events`,
    ]) {
      const response = await get(path, initech);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    const own = await get(`/v1/installations/${initechInstallationId}/sync-status`, initech);
    expect(own.body.run).toBeNull();
    const overview = (await get(`/v1/installations/${initechInstallationId}`, initech)).body.installation;
    expect(overview).toMatchObject({ sync: { lastRun: null, activeRun: null }, entities: { total: 0 } });
  });

  it('explains a failed extract and rejected credentials with tips', async () => {
    tool.failKind('service', { afterPages: 0, status: 500 });
    const failed = await sync(initech, initechInstallationId);
    tool.failKind('service', null);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'EXTRACT_FAILED' });
    const status = (await get(`/v1/installations/${initechInstallationId}/sync-status`, initech)).body;
    expect(status.run.error).toEqual({ code: 'EXTRACT_FAILED', message: 'resource service-1 failed to extract' });
    expect(status.tips.map((tip: { code: string }) => tip.code)).toEqual(['EXTRACT_FAILED', 'DELETION_SKIPPED']);
    expect(status.tips[0]).toMatchObject({ kind: 'service', kindIndex: 1 });
    expect(status.tips[0].message).toContain('UPSTREAM_FAILED: The fake tool answered 500 for /api/v1/services');

    const engine = api.app.get(SyncEngine);
    const run = await engine.createRun(initech.orgId, initechInstallationId, 'manual');
    await engine.run({ orgId: initech.orgId, installationId: initechInstallationId, runId: run.id }, () =>
      Promise.reject(new DomainError('CREDENTIALS_INVALID', 'Bad credentials')),
    );
    const refused = (await get(`/v1/installations/${initechInstallationId}/sync-status`, initech)).body;
    expect(refused.run).toMatchObject({ id: run.id, status: 'failed', error: { code: 'CREDENTIALS_INVALID' } });
    expect(refused.tips).toEqual([expect.objectContaining({ code: 'RECONNECT', severity: 'error' })]);
    const events = (await get(`/v1/installations/${initechInstallationId}/syncs/${run.id}/events`, initech)).body.events;
    expect(events.map((event: { type: string }) => event.type)).toEqual(['run.started', 'run.failed']);
    expect(events[1]).toMatchObject({ level: 'error', details: { errorCode: 'CREDENTIALS_INVALID' } });
  });
});
