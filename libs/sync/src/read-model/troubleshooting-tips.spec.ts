import { describe, expect, it } from 'vitest';
import type { SyncRunRecord, SyncRunResourceRecord } from '@mooring/persistence';
import { troubleshootingTips } from './troubleshooting-tips.js';

function resource(overrides: Partial<SyncRunResourceRecord> = {}): SyncRunResourceRecord {
  return {
    resourceIndex: 0,
    kind: 'service',
    blueprint: 'fakeService',
    status: 'completed',
    fetched: 10,
    fetchFailed: 0,
    transformed: 10,
    filteredOut: 0,
    transformFailed: 0,
    ingested: 10,
    notChanged: 0,
    ingestFailed: 0,
    extractMs: 5,
    transformMs: 5,
    loadMs: 5,
    errorSamples: [],
    error: null,
    startedAt: new Date(),
    finishedAt: new Date(),
    ...overrides,
  };
}

function run(overrides: Partial<SyncRunRecord> = {}, resources = [resource()]): SyncRunRecord {
  return {
    id: 'run',
    orgId: 'org',
    installationId: 'inst',
    status: 'completed',
    trigger: 'manual',
    attempt: 1,
    acceptFetchDrop: false,
    mappingHash: 'h',
    createdAt: new Date(),
    startedAt: new Date(),
    finishedAt: new Date(),
    errorCode: null,
    errorMessage: null,
    scheduledFor: null,
    dispatchedAt: null,
    skippedFor: null,
    reingested: 0,
    reingestFailed: 0,
    deleted: 0,
    deleteFailed: 0,
    reconcileMs: 3,
    deletionDecision: 'nothing_to_delete',
    deletionReason: 'nothing to delete',
    deletionDetails: null,
    resources,
    ...overrides,
  };
}

const codes = (r: SyncRunRecord | null) => troubleshootingTips(r).map((tip) => tip.code);

describe('troubleshootingTips', () => {
  it('says no run happened yet when there is none', () => {
    expect(troubleshootingTips(null)).toEqual([expect.objectContaining({ code: 'NO_RUN_YET', severity: 'info' })]);
  });

  it('suggests a longer interval for a skipped due time', () => {
    const skipped = run({ status: 'skipped', errorCode: 'RUN_ACTIVE', skippedFor: 'previous' }, []);
    expect(codes(skipped)).toEqual(['RUN_SKIPPED']);
  });

  it('has nothing to say about a clean run', () => {
    expect(troubleshootingTips(run())).toEqual([]);
  });

  it('points at the token, the host and the selector when nothing was fetched', () => {
    const [tip] = troubleshootingTips(run({}, [resource({ fetched: 0, transformed: 0, ingested: 0 })]));
    expect(tip).toMatchObject({ code: 'NOTHING_FETCHED', kind: 'service', kindIndex: 0, severity: 'warning' });
    expect(tip!.message).toMatch(/permissions/);
    expect(tip!.message).toMatch(/host/);
    expect(tip!.message).toMatch(/selector/);
  });

  it('says why a kind was skipped, and that its entities are kept, without calling it empty', () => {
    const reason = 'Atlassian teams need the organization id: set atlassianOrganizationId to sync them';
    const tips = troubleshootingTips(
      run({}, [resource({ status: 'skipped', fetched: 0, transformed: 0, ingested: 0, error: reason })]),
    );
    expect(tips).toEqual([expect.objectContaining({ code: 'KIND_SKIPPED', severity: 'info', kind: 'service' })]);
    expect(tips[0]!.message).toContain(reason);
    expect(tips[0]!.message).toContain('kept');
  });

  it('points at the selector query when every item was filtered out', () => {
    const tips = troubleshootingTips(run({}, [resource({ fetched: 7, filteredOut: 7, transformed: 0, ingested: 0 })]));
    expect(tips.map((tip) => tip.code)).toEqual(['ALL_FILTERED_OUT']);
    expect(tips[0]!.message).toContain('All 7 service items were filtered out: check the selector query');
  });

  it('names the failing mapping field from the samples', () => {
    const tips = troubleshootingTips(
      run({}, [
        resource({
          transformFailed: 2,
          errorSamples: [
            { phase: 'transform', reason: 'identifier is empty', field: 'resources[0].port.entity.mappings.identifier' },
            { phase: 'transform', reason: 'identifier is empty', field: 'resources[0].port.entity.mappings.identifier' },
          ],
        }),
      ]),
    );
    expect(tips).toHaveLength(1);
    expect(tips[0]).toMatchObject({ code: 'TRANSFORM_FAILED', severity: 'error' });
    expect(tips[0]!.message).toBe(
      '2 service item(s) failed to map: check the mapping expression resources[0].port.entity.mappings.identifier (e.g. identifier is empty).',
    );
  });

  it('names the blueprint and the property when entities fail to ingest', () => {
    const tips = troubleshootingTips(
      run({}, [
        resource({
          ingestFailed: 1,
          errorSamples: [
            { phase: 'load', reason: 'properties.url: must match format "uri"', field: 'properties.url', identifier: 'svc-4' },
          ],
        }),
      ]),
    );
    expect(tips.map((tip) => tip.code)).toEqual(['INGEST_FAILED']);
    expect(tips[0]!.message).toContain("check the fakeService blueprint's schema (properties.url)");
    expect(tips[0]!.message).toContain('svc-4: properties.url: must match format "uri"');
  });

  it('does not blame the schema for entities only waiting for a related entity, but reports those never written', () => {
    const waiting = resource({
      ingestFailed: 3,
      errorSamples: [
        { phase: 'load', reason: 'related entity fakeTeam/t does not exist yet; retried after all resources', identifier: 'a' },
      ],
    });
    expect(codes(run({}, [waiting]))).toEqual([]);
    expect(codes(run({ reingestFailed: 1 }, [waiting]))).toEqual(['RELATED_ENTITIES_MISSING']);
  });

  it('gives the extract error of a failed resource, and why nothing was deleted', () => {
    const tips = troubleshootingTips(
      run(
        {
          status: 'failed',
          errorCode: 'EXTRACT_FAILED',
          errorMessage: 'resource service-0 failed to extract',
          deletionDecision: 'skipped',
          deletionReason: 'resource service-0 failed to extract',
        },
        [resource({ status: 'failed', fetchFailed: 1, error: 'UPSTREAM_FAILED: The fake tool answered 500' })],
      ),
    );
    expect(tips.map((tip) => tip.code)).toEqual(['EXTRACT_FAILED', 'DELETION_SKIPPED']);
    expect(tips[0]!.message).toContain('UPSTREAM_FAILED: The fake tool answered 500');
    expect(tips[1]!.message).toContain('not deleted: resource service-0 failed to extract');
  });

  it('explains a deletion refused for a drop in fetched items, and how to accept a real one', () => {
    const reason = 'resource service-0 fetched 4 items, 60% fewer than the 10 of the last trusted run (maxFetchDrop 0.5)';
    const tips = troubleshootingTips(
      run(
        {
          deletionDecision: 'skipped',
          deletionReason: reason,
          deletionDetails: { fetchDrop: { resource: 'service-0', fetched: 4, previous: 10, drop: 0.6, maxFetchDrop: 0.5 } },
        },
        [resource({ fetched: 4 })],
      ),
    );
    expect(tips).toEqual([
      {
        code: 'FETCH_DROPPED',
        severity: 'warning',
        kind: 'service',
        kindIndex: 0,
        message: expect.stringContaining(`Nothing was deleted: ${reason}.`),
      },
    ]);
    expect(tips[0]!.message).toContain('{"acceptFetchDrop": true}');
    expect(tips[0]!.message).toContain('maxFetchDrop (now 0.5)');
  });

  it('tells to simplify a mapping stopped by the time guardrail', () => {
    const tips = troubleshootingTips(
      run({ status: 'failed', errorCode: 'MAPPING_STOPPED' }, [
        resource({
          status: 'failed',
          error: 'the mapping hit the 1000 ms time limit 3 times in a page; the resource was stopped',
        }),
      ]),
    );
    expect(tips[0]).toMatchObject({ code: 'MAPPING_STOPPED', kind: 'service' });
  });

  it('asks to reconnect when the tool rejected the credentials', () => {
    const refused = run(
      {
        status: 'failed',
        errorCode: 'CREDENTIALS_INVALID',
        errorMessage: 'The token was revoked',
        deletionDecision: 'skipped',
        deletionReason: 'the run failed before reconciliation',
        reconcileMs: null,
      },
      // The connection was refused before any resource started: the resources have nothing to say.
      [resource({ status: 'failed', fetched: 0, transformed: 0, ingested: 0, startedAt: null, finishedAt: new Date() })],
    );
    const tips = troubleshootingTips(refused);
    expect(tips.map((tip) => tip.code)).toEqual(['RECONNECT']);
    expect(tips[0]).toMatchObject({ code: 'RECONNECT', severity: 'error' });
    expect(tips[0]!.message).toMatch(/reconnect/);
  });

  it('reports a run that failed before any resource, and an aborted one without a deletion tip', () => {
    const unreachable = run(
      {
        status: 'failed',
        errorCode: 'UPSTREAM_FAILED',
        errorMessage: 'the host did not answer',
        deletionDecision: 'skipped',
        deletionReason: 'the run failed before reconciliation',
        reconcileMs: null,
      },
      [resource({ status: 'failed', startedAt: null })],
    );
    expect(troubleshootingTips(unreachable)).toEqual([
      expect.objectContaining({ code: 'RUN_FAILED', message: 'The run failed: the host did not answer.' }),
    ]);
    expect(
      codes(
        run(
          {
            status: 'failed',
            errorCode: 'NOT_FOUND',
            errorMessage: 'gone',
            startedAt: null,
            reconcileMs: null,
            deletionDecision: 'skipped',
          },
          [],
        ),
      ),
    ).toEqual(['RUN_FAILED']);
    expect(codes(run({ status: 'aborted', deletionDecision: 'skipped', deletionReason: 'the run was aborted' }))).toEqual([
      'RUN_ABORTED',
    ]);
  });

  it('says a run in progress has partial counts', () => {
    expect(
      codes(run({ status: 'running', finishedAt: null, deletionDecision: null }, [resource({ status: 'running' })])),
    ).toEqual(['RUN_IN_PROGRESS']);
  });
});
