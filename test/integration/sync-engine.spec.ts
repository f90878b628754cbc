import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection } from '@mooring/integrations';
import { fakeIntegration } from '@mooring/integrations/testing';
import { LiveEventMetrics } from '@mooring/live-events';
import { DomainError, OpsServer, REDACTED, Telemetry, registerSecret } from '@mooring/platform';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SyncMetrics, recordRunEvents, runSync } from '@mooring/sync';
import type { SyncCatalogRepository, SyncRunRecord } from '@mooring/persistence';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { FAKE_TOKEN, SyncHarness } from '../support/sync-harness.js';

// The engine end to end: the fake tool over loopback HTTP, the real catalog in PostgreSQL.
// Fake data: service i belongs to team i%3, deployment i to service i%10 (3 teams, 10 services,
// 30 deployments unless a test says otherwise).

type Mapping = { resources: Array<Record<string, any>> } & Record<string, unknown>;
const defaultMapping = () => structuredClone(fakeIntegration.defaultMapping) as unknown as Mapping;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const resource = (run: SyncRunRecord, kind: string) => run.resources.find((r) => r.kind === kind)!;
const ids = (prefix: string, indexes: number[]) => indexes.map((i) => `${prefix}-${i}`).sort();

let testDb: TestDatabase;
const harnesses: SyncHarness[] = [];
async function harness(options: Parameters<typeof SyncHarness.start>[0] extends infer O ? Omit<O, 'databaseUrl'> : never = {}) {
  const h = await SyncHarness.start({ databaseUrl: testDb.appUrl, ...options });
  harnesses.push(h);
  return h;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  for (const h of harnesses) await h.close();
  await testDb.drop();
});

describe('sync engine: load', () => {
  let h: SyncHarness;
  let first: SyncRunRecord;

  beforeAll(async () => {
    h = await harness();
    first = await h.sync();
  });

  it('writes every entity on a first sync, with relations and ownership, and counts it in Ocean’s vocabulary', async () => {
    expect(first).toMatchObject({ status: 'completed', attempt: 1, deleted: 0, deletionDecision: 'nothing_to_delete' });
    expect(first.mappingHash).toMatch(/^[\w-]{43}$/);
    const expected = { team: 3, service: 10, deployment: 30 };
    for (const [kind, n] of Object.entries(expected)) {
      expect(resource(first, kind)).toMatchObject({
        status: 'completed',
        fetched: n,
        fetchFailed: 0,
        transformed: n,
        filteredOut: 0,
        transformFailed: 0,
        ingested: n,
        notChanged: 0,
        ingestFailed: 0,
        errorSamples: [],
      });
    }
    expect(first.resources.map((r) => [r.resourceIndex, r.kind, r.blueprint])).toEqual([
      [0, 'team', 'fakeTeam'],
      [1, 'service', 'fakeService'],
      [2, 'deployment', 'fakeDeployment'],
    ]);
    const service = await h.entities.find(h.orgId, 'fakeService', 'svc-4');
    expect(service).toMatchObject({
      title: 'Service 4',
      properties: { url: 'https://svc-4.example.test', language: 'rust', tier: 2, tags: ['tier-2', 'rust'] },
      relations: { team: 'team-1' },
      installationId: h.installationId,
      resourceKey: 'service-1',
      placeholder: false,
    });
    expect(await h.identifiers('fakeDeployment')).toEqual(ids('dep', range(0, 30)));
  });

  it('keeps the first raw items of each kind, for mapping tests', async () => {
    const samples = await h.deps.catalog.rawSamples(h.orgId, h.installationId);
    expect(samples.map((s) => [s.kind, s.items.length])).toEqual([
      ['deployment', 5],
      ['service', 5],
      ['team', 3],
    ]);
    expect(samples[1]!.items[0]).toMatchObject({ id: 'svc-0', team_id: 'team-0' });
  });

  it('writes no row at all on an unchanged resync', async () => {
    const before = await h.rowVersions();
    const run = await h.sync();
    expect(run.status).toBe('completed');
    for (const r of run.resources) expect(r).toMatchObject({ ingested: 0, notChanged: r.fetched, ingestFailed: 0 });
    expect(await h.rowVersions()).toEqual(before);
    expect(await h.rowsWritten(run)).toBe(0);
  });

  it('rewrites exactly the entities that changed at the source', async () => {
    h.server.change('service', [2, 7]);
    const before = await h.rowVersions();
    const run = await h.sync();
    expect(resource(run, 'service')).toMatchObject({ ingested: 2, notChanged: 8 });
    const after = await h.rowVersions();
    const rewritten = [...after].filter(([key, version]) => before.get(key) !== version).map(([key]) => key);
    expect(rewritten.sort()).toEqual(['fakeService/svc-2', 'fakeService/svc-7']);
  });

  it('replays a finished run as a no-op', async () => {
    const before = await h.rowVersions();
    const replayed = await h.resume(first.id);
    expect(replayed).toMatchObject({ id: first.id, status: 'completed', attempt: 1 });
    expect(await h.rowVersions()).toEqual(before);
  });

  it('keeps the run history, newest first, page by page', async () => {
    const page = await h.history.list(h.orgId, h.installationId, { limit: 2 });
    expect(page).toHaveLength(2);
    expect(page[0]!.createdAt.getTime()).toBeGreaterThan(page[1]!.createdAt.getTime());
    const rest = await h.history.list(h.orgId, h.installationId, { limit: 10, before: page[1]!.createdAt });
    expect(rest.map((r) => r.id)).toEqual([first.id]);
    expect(rest[0]!.resources.map((r) => r.kind)).toEqual(['team', 'service', 'deployment']);
  });
});

describe('sync engine: metrics and traces', () => {
  it('exports per-kind counts in Ocean’s vocabulary on /metrics, without tenant labels', async () => {
    const telemetry = new Telemetry('sync-test');
    const ops = new OpsServer(telemetry, []);
    const port = await ops.listen(0, '127.0.0.1');
    try {
      const h = await harness();
      await h.sync({ deps: { metrics: SyncMetrics.of(telemetry.meter) } });
      h.server.remove('deployment', [4, 5]);
      h.server.change('service', [1]);
      await h.sync({ deps: { metrics: SyncMetrics.of(telemetry.meter) } });
      // Live events record into the same instruments (one owner), with phase `live`.
      const live = new LiveEventMetrics(telemetry.meter);
      live.applied('fake', 'service', { loaded: 3, skipped: 1 });
      live.delay('fake', 0.2);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const series = (name: string, labels: Record<string, string>) => {
        const line = text
          .split('\n')
          .find(
            (candidate) =>
              candidate.startsWith(`${name}{`) &&
              Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
          );
        return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      const objects = (kind: string, phase: string, type: string) =>
        series('mooring_sync_object_count_total', { integration: 'fake', kind, phase, object_count_type: type });
      expect(objects('deployment', 'extract', 'raw_extracted')).toBe(58);
      expect(objects('service', 'load', 'loaded')).toBe(11);
      expect(objects('service', 'load', 'skipped')).toBe(9);
      expect(objects('deployment', 'load', 'skipped')).toBe(28);
      expect(objects('__reconciliation__', 'delete', 'deleted')).toBe(2);
      expect(series('mooring_sync_success_total', { kind: '__runtime__', phase: 'resync', success: '1' })).toBe(2);
      expect(series('mooring_sync_success_total', { kind: 'team', phase: 'resync', success: '1' })).toBe(2);
      for (const phase of ['extract', 'transform', 'load', 'resync']) {
        expect(series('mooring_sync_duration_seconds_count', { kind: 'service', phase })).toBe(2);
      }
      expect(series('mooring_sync_duration_seconds_count', { kind: '__runtime__', phase: 'resync' })).toBe(2);
      expect(objects('service', 'live', 'loaded')).toBe(3);
      expect(objects('service', 'live', 'skipped')).toBe(1);
      expect(series('mooring_sync_duration_seconds_count', { kind: '__live__', phase: 'live' })).toBe(1);
      expect(series('mooring_sync_duration_seconds_count', { kind: '__reconciliation__', phase: 'delete' })).toBe(2);
      // Labels stay bounded: integration, kind, phase, outcome; never a tenant, installation or entity.
      const labelNames = [...text.matchAll(/^mooring_sync_\w+\{([^}]*)\}/gm)].flatMap((m) =>
        [...m[1]!.matchAll(/(\w+)="/g)].map((label) => label[1]!),
      );
      const allowed = new Set(['integration', 'kind', 'phase', 'object_count_type', 'success', 'le', 'otel_scope_name']);
      expect(labelNames.length).toBeGreaterThan(0);
      expect(labelNames.filter((label) => !allowed.has(label))).toEqual([]);
      expect(text).not.toContain(h.orgId);
      expect(text).not.toContain(h.installationId);
      expect(text).not.toContain('svc-1');
    } finally {
      await ops.close();
      await telemetry.shutdown();
    }
  });

  it('traces a run: sync.run with its ids, a span per resource and per phase, reingest and reconcile', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      const h = await harness();
      const run = await h.sync({ deps: { tracer: provider.getTracer('test') } });
      const spans = exporter.getFinishedSpans();
      const root = spans.find((span) => span.name === 'sync.run')!;
      expect(root.attributes).toMatchObject({
        'mooring.org_id': h.orgId,
        'mooring.installation_id': h.installationId,
        'mooring.run_id': run.id,
        'mooring.integration': 'fake',
        'mooring.sync.status': 'completed',
        'mooring.sync.attempt': 1,
      });
      const traceId = root.spanContext().traceId;
      expect(spans.every((span) => span.spanContext().traceId === traceId)).toBe(true);
      const parentOf = (span: (typeof spans)[number]) => span.parentSpanContext?.spanId;
      const resources = spans.filter((span) => span.name === 'sync.resource');
      expect(resources.map((span) => span.attributes['mooring.sync.kind'])).toEqual(['team', 'service', 'deployment']);
      expect(resources.every((span) => parentOf(span) === root.spanContext().spanId)).toBe(true);
      for (const resource of resources) {
        const phases = spans.filter((span) => parentOf(span) === resource.spanContext().spanId);
        expect(phases.map((span) => span.name).sort()).toEqual(['sync.extract', 'sync.load', 'sync.transform']);
      }
      const deploymentExtract = spans.find(
        (span) => span.name === 'sync.extract' && span.attributes['mooring.sync.kind'] === 'deployment',
      )!;
      expect(deploymentExtract.attributes).toMatchObject({ 'mooring.sync.fetched': 30, 'mooring.sync.failed': 0 });
      expect(spans.filter((span) => ['sync.reingest', 'sync.reconcile'].includes(span.name)).map((s) => parentOf(s))).toEqual([
        root.spanContext().spanId,
        root.spanContext().spanId,
      ]);
      expect(spans.find((span) => span.name === 'sync.reconcile')!.attributes['mooring.sync.deletion_decision']).toBe(
        'nothing_to_delete',
      );
    } finally {
      await provider.shutdown();
    }
  });
});

describe('sync engine: a mixed run', () => {
  it('counts filtered items, failed maps, invalid properties and unchanged entities exactly', async () => {
    const mapping = defaultMapping();
    const service = mapping.resources[1]!;
    service['selector'] = { query: 'tier != 3' }; // services 2, 5, 8 are tier 3
    service['port'].entity.mappings.identifier = 'language = "go" ? null : id'; // services 1 and 6
    service['port'].entity.mappings.properties.url = 'tier = 2 ? "not a url" : url'; // services 4 and 7 (1 failed already)
    const h = await harness({ mapping });

    const first = await h.sync();
    expect(resource(first, 'service')).toMatchObject({
      fetched: 10,
      filteredOut: 3,
      transformFailed: 2,
      transformed: 5,
      ingestFailed: 2,
      ingested: 3,
      notChanged: 0,
    });
    // The others exist only as placeholders that deployments relate to.
    expect(await h.identifiers('fakeService', { placeholders: false })).toEqual(['svc-0', 'svc-3', 'svc-9']);

    h.server.change('service', [3]);
    const second = await h.sync();
    expect(resource(second, 'service')).toMatchObject({
      fetched: 10,
      filteredOut: 3,
      transformFailed: 2,
      transformed: 5,
      ingestFailed: 2,
      ingested: 1,
      notChanged: 2,
    });
    const samples = resource(second, 'service').errorSamples;
    expect(samples).toContainEqual({
      phase: 'transform',
      reason: 'identifier is empty (null, missing or "")',
      field: 'resources[1].port.entity.mappings.identifier',
    });
    expect(samples).toContainEqual({
      phase: 'load',
      reason: 'properties.url: must match format "uri"',
      field: 'properties.url',
      identifier: 'svc-4',
    });
    // An item that failed to map could be an entity the tool still has: nothing is deleted.
    expect(second).toMatchObject({ status: 'completed', deleted: 0, deletionDecision: 'skipped' });
    expect(second.deletionReason).toBe('resource service-1 had 2 item(s) that failed to map');
  });
});

describe('sync engine: reconciliation', () => {
  it('deletes exactly what was removed at the source after a healthy resync', async () => {
    const h = await harness();
    await h.sync();
    h.server.remove('service', [9]);
    h.server.remove('deployment', [0, 9, 19, 29]);
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'completed', deleted: 5, deleteFailed: 0, deletionDecision: 'deleted' });
    expect(run.deletionDetails).toMatchObject({
      threshold: 0.9,
      blueprints: expect.arrayContaining([{ blueprint: 'fakeDeployment', owned: 30, toDelete: 4, share: 4 / 30 }]),
    });
    expect(await h.identifiers('fakeService')).toEqual(ids('svc', range(0, 9)));
    expect(await h.identifiers('fakeDeployment')).toEqual(
      ids(
        'dep',
        range(1, 29).filter((i) => i % 10 !== 9),
      ),
    );
    expect(await h.identifiers('fakeTeam')).toEqual(['team-0', 'team-1', 'team-2']);
  });

  it('defers, not deletes, what was written within the listing lag an integration declares; a later run deletes it once settled', async () => {
    const h = await harness();
    await h.sync();
    // As Jira's search: the listing lags by up to 10 minutes behind the tool's writes.
    const lagging = { deps: { integrations: (id: string) => ({ ...h.deps.integrations(id), listingLagSeconds: 600 }) } };
    const writtenAgo = (identifier: string, seconds: number) =>
      h.db.inTenantSql(h.orgId, (client) =>
        client.query(
          `UPDATE entities SET updated_at = now() - make_interval(secs => $3) WHERE org_id = $1 AND blueprint = 'fakeDeployment' AND identifier = $2`,
          [h.orgId, identifier, seconds],
        ),
      );
    await writtenAgo('dep-4', 3_600);
    await writtenAgo('dep-5', 3_600);
    // dep-3 was just written (by a live event, say) and the listing does not have it yet; 4 and 5 are gone.
    h.server.remove('deployment', [3, 4, 5]);
    const run = await h.sync(lagging);
    expect(run).toMatchObject({ status: 'completed', deleted: 2, deletionDecision: 'deleted' });
    expect(run.deletionDetails).toMatchObject({
      deferred: 1,
      blueprints: expect.arrayContaining([{ blueprint: 'fakeDeployment', owned: 30, toDelete: 2, share: 2 / 30, deferred: 1 }]),
    });
    expect(await h.identifiers('fakeDeployment')).toContain('dep-3');
    expect(await h.identifiers('fakeDeployment')).not.toContain('dep-4');

    // Still unlisted once its write is older than the lag: the next run deletes it.
    await writtenAgo('dep-3', 601);
    const settled = await h.sync(lagging);
    expect(settled).toMatchObject({ status: 'completed', deleted: 1, deletionDecision: 'deleted' });
    expect(settled.deletionDetails).not.toHaveProperty('deferred');
    expect(await h.identifiers('fakeDeployment')).not.toContain('dep-3');

    // Nothing unseen but a fresh write: nothing is deleted, and the reason says what was deferred.
    await h.sync();
    h.server.remove('deployment', [6]);
    const fresh = await h.sync(lagging);
    expect(fresh).toMatchObject({ status: 'completed', deleted: 0, deletionDecision: 'nothing_to_delete' });
    expect(fresh.deletionReason).toBe(
      "every owned entity was seen, but 1 written within the tool's listing lag, deferred to a later run",
    );
  });

  describe('deletes nothing when the pass is not clean', () => {
    const removeSome = (h: SyncHarness) => {
      h.server.remove('deployment', [3, 25]);
      h.server.remove('service', [9]);
    };
    const expectNothingDeleted = async (h: SyncHarness, run: SyncRunRecord) => {
      expect(run.deleted).toBe(0);
      expect(run.deletionDecision).toBe('skipped');
      expect(await h.identifiers('fakeDeployment')).toHaveLength(30);
      expect(await h.identifiers('fakeService')).toHaveLength(10);
    };

    it('when a kind fails mid-stream', async () => {
      const h = await harness({ fake: { pageSize: 10 } });
      await h.sync();
      removeSome(h);
      h.server.failKind('deployment', { afterPages: 1, status: 500 });
      const run = await h.sync();
      expect(run).toMatchObject({ status: 'failed', errorCode: 'EXTRACT_FAILED' });
      expect(resource(run, 'deployment')).toMatchObject({ status: 'failed', fetched: 10, fetchFailed: 1, notChanged: 10 });
      expect(resource(run, 'deployment').error).toBe('UPSTREAM_FAILED: The fake tool answered 500 for /api/v1/deployments');
      expect(run.deletionReason).toBe('resource deployment-2 failed to extract');
      await expectNothingDeleted(h, run);
    });

    it('when the run is aborted', async () => {
      const h = await harness({ fake: { pageSize: 10 } });
      await h.sync();
      removeSome(h);
      const controller = new AbortController();
      // Aborts while the deployments' second page is being fetched.
      const connect = async (...args: Parameters<SyncHarness['deps']['connect']>): Promise<IntegrationConnection> => {
        const connection = await h.deps.connect(...args);
        return {
          ...connection,
          fetch: (url, init) => {
            if (String(url).includes('/deployments?page=1')) controller.abort();
            return connection.fetch(url, init);
          },
        };
      };
      const run = await h.sync({ signal: controller.signal, deps: { connect } });
      expect(run).toMatchObject({ status: 'aborted', deletionReason: 'the run was aborted' });
      expect(resource(run, 'deployment').status).toBe('aborted');
      await expectNothingDeleted(h, run);
    });

    it('when a kind that had items returns none', async () => {
      const h = await harness();
      await h.sync();
      removeSome(h);
      h.server.setCounts({ deployment: 0 });
      const run = await h.sync();
      expect(run.status).toBe('completed');
      expect(run.deletionReason).toBe('resource deployment-2 returned 0 items but had 30 in the last trusted run');
      await expectNothingDeleted(h, run);
    });

    it('when a page answered 200 without its items list', async () => {
      const h = await harness({ fake: { counts: { deployment: 1_780 }, pageSize: 100 } });
      await h.sync();
      h.server.injectFault('deployment', { type: 'no-items', page: 5 });
      const run = await h.sync();
      expect(run.deleted, `deleted ${run.deleted}`).toBe(0);
      expect(run).toMatchObject({ status: 'failed', errorCode: 'EXTRACT_FAILED', deletionDecision: 'skipped' });
      expect(resource(run, 'deployment')).toMatchObject({ status: 'failed', fetched: 500, fetchFailed: 1 });
      expect(resource(run, 'deployment').error).toBe(
        `UPSTREAM_MALFORMED: The fake tool's answer to GET /api/v1/deployments?page=5&per_page=100 is not a listing: it holds no list at "items"`,
      );
      expect(await h.identifiers('fakeDeployment')).toHaveLength(1_780);
    });

    it('when the items of a page are not a list', async () => {
      const h = await harness({ fake: { pageSize: 10 } });
      await h.sync();
      removeSome(h);
      h.server.injectFault('deployment', { type: 'items-not-list', page: 1 });
      const run = await h.sync();
      await expectNothingDeleted(h, run);
      expect(resource(run, 'deployment').error).toBe(
        `UPSTREAM_MALFORMED: The fake tool's answer to GET /api/v1/deployments?page=1&per_page=10 is not a listing: it holds no list at "items"`,
      );
    });

    it('when an entry of a page is null', async () => {
      const h = await harness({ fake: { pageSize: 10 } });
      await h.sync();
      h.server.injectFault('deployment', { type: 'null-entry', page: 1 });
      const run = await h.sync();
      expect(run.deleted, `deleted ${run.deleted}`).toBe(0);
      expect(resource(run, 'deployment')).toMatchObject({ status: 'failed', fetchFailed: 1 });
      expect(resource(run, 'deployment').error).toBe(
        'UPSTREAM_MALFORMED: page 2 of deployment is not a listing: entry 6 is null, not an object',
      );
      expect(await h.identifiers('fakeDeployment')).toHaveLength(30);
    });

    it('when the listing ends short of the total the tool reported', async () => {
      const h = await harness({ fake: { counts: { deployment: 1_780 }, pageSize: 100 } });
      await h.sync();
      h.server.injectFault('deployment', { type: 'short', page: 15 });
      const run = await h.sync();
      expect(run.deleted, `deleted ${run.deleted}`).toBe(0);
      expect(resource(run, 'deployment')).toMatchObject({ status: 'failed', fetched: 1_600 });
      expect(resource(run, 'deployment').error).toBe(
        'UPSTREAM_INCOMPLETE: the tool reported 1780 deployment items, but its listing ended after 1600',
      );
      expect(await h.identifiers('fakeDeployment')).toHaveLength(1_780);
    });

    it('when a listing without totals drops by more than maxFetchDrop, until a resync accepts the drop', async () => {
      const h = await harness({ fake: { counts: { deployment: 1_780 }, pageSize: 100, reportTotals: false } });
      await h.sync();
      h.server.injectFault('deployment', { type: 'short', page: 5 });
      const run = await h.sync();
      expect(run.deleted, `deleted ${run.deleted}`).toBe(0);
      expect(run).toMatchObject({
        status: 'completed',
        deletionDecision: 'skipped',
        deletionReason:
          'resource deployment-2 fetched 600 items, 66.3% fewer than the 1780 of the last trusted run (maxFetchDrop 0.5)',
      });
      expect(run.deletionDetails).toMatchObject({
        fetchDrop: { resource: 'deployment-2', fetched: 600, previous: 1_780, maxFetchDrop: 0.5 },
      });
      // The drop repeats: the refused run is no baseline, so the next run refuses too.
      expect(await h.sync()).toMatchObject({ deleted: 0, deletionDecision: 'skipped' });
      expect(await h.identifiers('fakeDeployment')).toHaveLength(1_780);

      // The user confirms the drop is real: that one run deletes, and becomes the baseline.
      const accepted = await h.runs.create(h.orgId, h.installationId, 'manual', { acceptFetchDrop: true });
      expect(await h.resume(accepted.id)).toMatchObject({ status: 'completed', deleted: 1_180, deletionDecision: 'deleted' });
      expect(await h.sync()).toMatchObject({ deleted: 0, deletionDecision: 'nothing_to_delete' });
    });

    it('when the share to delete exceeds entityDeletionThreshold', async () => {
      const h = await harness();
      await h.sync();
      await h.setMaxFetchDrop(1); // the drop guard would refuse first
      h.server.remove('deployment', range(0, 28));
      const run = await h.sync();
      expect(run.deletionReason).toBe('deleting 28 of 30 fakeDeployment entities (93%) exceeds entityDeletionThreshold 0.9');
      expect(run.deleted).toBe(0);
      expect(await h.identifiers('fakeDeployment')).toHaveLength(30);
    });

    it('when the mapping has no resources', async () => {
      const h = await harness();
      await h.sync();
      await h.setMapping({ resources: [] });
      const run = await h.sync();
      expect(run).toMatchObject({ status: 'completed', deleted: 0, deletionReason: 'the mapping has no resources' });
      expect(await h.identifiers('fakeDeployment')).toHaveLength(30);
    });
  });

  it('keeps placeholders while something relates to them, and deletes them with the last reference', async () => {
    const mapping = defaultMapping();
    mapping.resources = [mapping.resources[2]!]; // deployments only: services become placeholders
    const h = await harness({ mapping });
    const first = await h.sync();
    expect(first.status).toBe('completed');
    expect(await h.entities.find(h.orgId, 'fakeService', 'svc-9')).toMatchObject({
      placeholder: true,
      installationId: h.installationId,
    });

    const second = await h.sync();
    expect(second).toMatchObject({ deleted: 0, deletionDecision: 'nothing_to_delete' });

    h.server.remove('deployment', [9, 19, 29]);
    const third = await h.sync();
    expect(third).toMatchObject({ deleted: 4, deletionDecision: 'deleted' });
    expect(await h.identifiers('fakeService')).toEqual(ids('svc', range(0, 9)));
  });
});

describe('sync engine: related entities', () => {
  it('reingests entities whose related entities came later, and fails those that never come', async () => {
    const mapping = defaultMapping();
    mapping['createMissingRelatedEntities'] = false;
    mapping.resources = [mapping.resources[2]!, mapping.resources[1]!, mapping.resources[0]!]; // deployments first
    mapping.resources[0]!['port'].entity.mappings.relations.service = 'id = "dep-0" ? "svc-ghost" : service_id';
    const h = await harness({ mapping });
    const run = await h.sync();
    expect(resource(run, 'deployment')).toMatchObject({ ingested: 0, ingestFailed: 30 });
    expect(resource(run, 'service')).toMatchObject({ ingested: 0, ingestFailed: 10 });
    expect(run).toMatchObject({ reingested: 39, reingestFailed: 1 });
    expect(resource(run, 'deployment').errorSamples).toContainEqual({
      phase: 'reingest',
      reason: 'a related entity still does not exist',
      identifier: 'dep-0',
    });
    expect(await h.identifiers('fakeDeployment')).toEqual(ids('dep', range(1, 30)));
    expect(await h.entities.find(h.orgId, 'fakeService', 'svc-ghost')).toBeNull();
  });
});

describe('sync engine: crashes and retries', () => {
  it('retries a crashed run without fetching finished kinds or writing anything twice, deleting only after the complete pass', async () => {
    const h = await harness();
    await h.sync();
    h.server.change('service', [1, 2]);
    h.server.remove('deployment', [5]);

    // The worker dies during the deployments' batch (the third batch): the run stays running.
    let batches = 0;
    const crashing = Object.create(h.deps.catalog) as SyncCatalogRepository;
    crashing.inBatch = (orgId, fn) => {
      if (++batches === 3) return Promise.reject(new Error('connection terminated unexpectedly'));
      return h.deps.catalog.inBatch(orgId, fn);
    };
    const run = await h.runs.create(h.orgId, h.installationId, 'schedule');
    await expect(h.resume(run.id, { deps: { catalog: crashing } })).rejects.toThrow('connection terminated unexpectedly');
    const crashed = await h.runs.find(h.orgId, run.id);
    expect(crashed).toMatchObject({ status: 'running', attempt: 1, deleted: 0 });
    expect(crashed!.resources.map((r) => r.status)).toEqual(['completed', 'completed', 'running']);
    expect(await h.identifiers('fakeDeployment')).toContain('dep-5');
    const afterCrash = await h.rowVersions();

    const requestsBefore = h.server.requests.length;
    const retried = await h.resume(run.id);
    expect(retried).toMatchObject({ status: 'completed', attempt: 2, deleted: 1, deletionDecision: 'deleted' });
    // Teams and services were completed by the first attempt: only deployments are fetched again.
    expect(new Set(h.server.requests.slice(requestsBefore).map((r) => r.split('?')[0]))).toEqual(
      new Set(['GET /api/v1/deployments']),
    );
    expect(resource(retried, 'service')).toMatchObject({ status: 'completed', ingested: 2, notChanged: 8 });
    expect(resource(retried, 'deployment')).toMatchObject({ status: 'completed', fetched: 29, ingested: 0, notChanged: 29 });
    const afterRetry = await h.rowVersions();
    afterRetry.set('fakeDeployment/dep-5', afterCrash.get('fakeDeployment/dep-5')!);
    expect(afterRetry).toEqual(afterCrash);

    // The event log tells the story of both attempts, a handful of entries per resource.
    registerSecret(FAKE_TOKEN, { runtime: true });
    await recordRunEvents(
      h.events,
      { orgId: h.orgId, runId: run.id },
      {
        level: 'warn',
        type: 'job.retried',
        message: `retried after ${FAKE_TOKEN} failed`,
      },
    );
    const { items: events, hasMore } = await h.events.events(h.orgId, run.id, { limit: 100 });
    expect(hasMore).toBe(false);
    expect(events.map((e) => e.type)).toEqual([
      'run.started',
      ...['resource.started', 'resource.completed', 'resource.started', 'resource.completed', 'resource.started'],
      'run.interrupted',
      'run.started',
      'run.resumed',
      'resource.kept',
      'resource.kept',
      'resource.started',
      'resource.completed',
      'deletion.decided',
      'run.completed',
      'job.retried',
    ]);
    expect(events.find((e) => e.type === 'run.resumed')).toMatchObject({
      level: 'warn',
      details: { attempt: 2, keptResources: ['team-0', 'service-1'] },
    });
    expect(events.find((e) => e.type === 'run.interrupted')!.message).toContain('connection terminated unexpectedly');
    expect(events.find((e) => e.type === 'deletion.decided')).toMatchObject({ details: { decision: 'deleted', deleted: 1 } });
    expect(events.at(-2)!.details).toEqual({ attempt: 2 });
    // Secrets registered with the logger never reach the log.
    expect(events.at(-1)!.message).toBe(`retried after ${REDACTED} failed`);
  });

  it('counts every deletion once when an attempt dies half-way through deleting', async () => {
    const h = await harness({ fake: { counts: { team: 1, service: 1, deployment: 3_000 }, pageSize: 100 } });
    await h.sync();
    h.server.remove('deployment', range(0, 1_400)); // deleted 500 at a time: 500, 500, 400
    let chunks = 0;
    const dying = Object.create(h.deps.catalog) as SyncCatalogRepository;
    dying.deletionCandidates = (...args) =>
      ++chunks === 3
        ? Promise.reject(new Error('connection terminated unexpectedly'))
        : h.deps.catalog.deletionCandidates(...args);
    const run = await h.runs.create(h.orgId, h.installationId, 'schedule');
    await expect(h.resume(run.id, { deps: { catalog: dying } })).rejects.toThrow('connection terminated unexpectedly');
    expect(await h.identifiers('fakeDeployment')).toHaveLength(2_000); // the first attempt deleted 1,000

    const retried = await h.resume(run.id);
    expect(retried).toMatchObject({ status: 'completed', attempt: 2, deletionDecision: 'deleted' });
    expect(await h.identifiers('fakeDeployment')).toHaveLength(1_600);
    expect(retried.deleted).toBe(1_400);
  });

  it('starts over when the mapping changed between attempts', async () => {
    const h = await harness();
    let batches = 0;
    const crashing = Object.create(h.deps.catalog) as SyncCatalogRepository;
    crashing.inBatch = (orgId, fn) => (++batches === 2 ? Promise.reject(new Error('killed')) : h.deps.catalog.inBatch(orgId, fn));
    const run = await h.runs.create(h.orgId, h.installationId, 'schedule');
    await expect(h.resume(run.id, { deps: { catalog: crashing } })).rejects.toThrow('killed');
    const mapping = defaultMapping();
    mapping.resources[0]!['port'].entity.mappings.title = '$uppercase(name)';
    await h.setMapping(mapping);
    const requestsBefore = h.server.requests.length;
    const retried = await h.resume(run.id);
    expect(retried).toMatchObject({ status: 'completed', attempt: 2 });
    expect(h.server.requests.slice(requestsBefore).some((r) => r.startsWith('GET /api/v1/teams'))).toBe(true);
    expect(await h.entities.find(h.orgId, 'fakeTeam', 'team-1')).toMatchObject({ title: 'TEAM 1' });
  });
});

describe('sync engine: a bad mapping', () => {
  it('fails the run naming the path of the bad expression, and touches nothing', async () => {
    const h = await harness();
    await h.sync();
    const mapping = defaultMapping();
    mapping.resources[1]!['port'].entity.mappings.properties.url = 'url & (';
    await h.setMapping(mapping);
    const before = await h.rowVersions();
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'VALIDATION_FAILED', deleted: 0 });
    expect(run.errorMessage).toMatch(
      /^Invalid mapping: resources\[1\]\.port\.entity\.mappings\.properties\.url: invalid JSONata: .+ \(at position \d+/,
    );
    expect(await h.rowVersions()).toEqual(before);
  });
});

describe('sync engine: entities that fail to load', () => {
  it('counts them, keeps a sample, and never deletes them: the tool still has them', async () => {
    const h = await harness();
    await h.sync();
    const mapping = defaultMapping();
    // Service 3's description becomes larger than 1 MiB; service 4's URL stops being a URL.
    mapping.resources[1]!['port'].entity.mappings.properties.description = 'id = "svc-3" ? $pad("", 1100000, "x") : description';
    mapping.resources[1]!['port'].entity.mappings.properties.url = 'id = "svc-4" ? "nope" : url';
    await h.setMapping(mapping);
    h.server.remove('deployment', [1]);
    const run = await h.sync();
    expect(resource(run, 'service')).toMatchObject({ ingestFailed: 2, ingested: 0, notChanged: 8 });
    expect(resource(run, 'service').errorSamples).toEqual([
      { phase: 'load', reason: 'the mapped entity is larger than 1 MiB as JSON', identifier: 'svc-3' },
      { phase: 'load', reason: 'properties.url: must match format "uri"', field: 'properties.url', identifier: 'svc-4' },
    ]);
    expect(run).toMatchObject({ deleted: 1, deletionDecision: 'deleted' });
    expect(await h.identifiers('fakeService')).toHaveLength(10);
    expect(await h.identifiers('fakeDeployment')).not.toContain('dep-1');
  });
});

describe('sync engine: a mapping that never ends', () => {
  it('stops the resource after a few timeouts, records why, and deletes nothing', async () => {
    const h = await harness();
    await h.sync();
    const mapping = defaultMapping();
    mapping.resources[2]!['port'].entity.mappings.properties.version = '($f := function($n){ $n != 0 ? $f($n - 1) : 0 }; $f(-1))';
    await h.setMapping(mapping);
    h.server.remove('team', [0]);
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'MAPPING_STOPPED', deleted: 0 });
    expect(resource(run, 'deployment')).toMatchObject({ status: 'failed', transformFailed: 3, ingested: 0 });
    expect(resource(run, 'deployment').error).toBe(
      'the mapping hit the 1000 ms time limit 3 times in a page; the resource was stopped',
    );
    expect(run.deletionReason).toBe('resource deployment-2 was stopped while mapping');
    expect(await h.identifiers('fakeTeam')).toContain('team-0');
  });
});

describe('sync engine: an attempt that lost its run', () => {
  it('neither deletes nor ends the run when another worker started a later attempt meanwhile', async () => {
    const h = await harness({ fake: { pageSize: 10 } });
    await h.sync();
    h.server.remove('deployment', [3, 25]);
    const run = await h.runs.create(h.orgId, h.installationId, 'manual');
    // While attempt 1 reads deployments, another worker (its job recovered as stalled) begins attempt 2.
    let taken = false;
    const connect = async (...args: Parameters<SyncHarness['deps']['connect']>): Promise<IntegrationConnection> => {
      const connection = await h.deps.connect(...args);
      return {
        ...connection,
        fetch: async (url, init) => {
          if (!taken && String(url).includes('/deployments')) {
            taken = true;
            const current = (await h.runs.find(h.orgId, run.id))!;
            const resources = current.resources.map((r) => ({
              resourceIndex: r.resourceIndex,
              kind: r.kind,
              blueprint: r.blueprint,
            }));
            expect(await h.runs.begin(h.orgId, run.id, current.mappingHash!, resources)).toMatchObject({ attempt: 2 });
          }
          return connection.fetch(url, init);
        },
      };
    };
    expect(await h.attempt(run.id, { deps: { connect } })).toEqual({ kind: 'superseded', attempt: 1 });
    expect(await h.identifiers('fakeDeployment')).toHaveLength(30); // nothing deleted by attempt 1
    expect(await h.runs.find(h.orgId, run.id)).toMatchObject({ status: 'running', attempt: 2 });

    // The later attempt (here resumed once more) owns the run and reconciles it.
    const finished = await h.resume(run.id);
    expect(finished).toMatchObject({ status: 'completed', attempt: 3, deleted: 2 });
  });
});

describe('sync engine: credentials and tenancy', () => {
  it('fails the run with the connection’s error code when the credentials are refused', async () => {
    const h = await harness();
    await h.sync();
    h.server.remove('deployment', [1]);
    const refused = () => Promise.reject(new DomainError('CREDENTIALS_INVALID', 'The token was revoked'));
    const run = await h.sync({ deps: { connect: refused } });
    expect(run).toMatchObject({
      status: 'failed',
      errorCode: 'CREDENTIALS_INVALID',
      errorMessage: 'The token was revoked',
      deleted: 0,
    });
    expect(run.resources.every((r) => r.status === 'failed')).toBe(true);
    expect(await h.identifiers('fakeDeployment')).toContain('dep-1');
  });

  it('ends the run when a kind is refused mid-stream (401), tells the connection, and deletes nothing', async () => {
    const h = await harness({ fake: { counts: { team: 3, service: 250, deployment: 5 }, pageSize: 100 } });
    await h.sync();
    h.server.remove('deployment', [1]);
    h.server.failKind('service', { afterPages: 1, status: 401 });
    const rejected: string[] = [];
    const connect = async (...args: Parameters<typeof h.deps.connect>) => ({
      ...(await h.deps.connect(...args)),
      credentialsRejected: (reason: string) => Promise.resolve(void rejected.push(reason)),
    });
    const run = await h.sync({ deps: { connect } });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(rejected).toEqual(['The fake tool rejected the token']);
    const byKind = Object.fromEntries(run.resources.map((r) => [r.kind, r]));
    expect(byKind['team']).toMatchObject({ status: 'completed', fetched: 3 });
    expect(byKind['service']).toMatchObject({
      status: 'failed',
      fetched: 100,
      error: expect.stringContaining('CREDENTIALS_INVALID'),
    });
    // The run stopped there: the next kind was not asked for with the refused token.
    expect(byKind['deployment']).toMatchObject({ status: 'failed', fetched: 0 });
    expect(await h.identifiers('fakeDeployment')).toContain('dep-1');
  });

  it('cannot run, or even find, another organization’s run', async () => {
    const a = await harness();
    const b = await harness();
    const run = await a.runs.create(a.orgId, a.installationId, 'manual');
    await expect(runSync({ orgId: b.orgId, installationId: a.installationId, runId: run.id }, b.deps)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await a.runs.find(a.orgId, run.id)).toMatchObject({ status: 'pending', attempt: 0 });
    expect(await b.runs.find(b.orgId, run.id)).toBeNull();
  });
});
