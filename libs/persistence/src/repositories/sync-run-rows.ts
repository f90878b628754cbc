import type { Prisma } from '../generated/prisma/client.js';
import type { DeletionDecision, ErrorSample, SyncRunRecord, SyncRunResourceRecord, SyncRunStatus } from '../sync-records.js';

/** A run is active while pending or running. */
export const ACTIVE: SyncRunStatus[] = ['pending', 'running'];

/** A run's row with its resources in mapping order, as every run read includes them. */
export const WITH_RESOURCES = { resources: { orderBy: { resourceIndex: 'asc' } } } as const;

type RunRow = Prisma.SyncRunGetPayload<{ include: { resources: true } }>;

export function toRunRecord(row: RunRow): SyncRunRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    installationId: row.installationId,
    status: row.status,
    trigger: row.trigger,
    attempt: row.attempt,
    mappingHash: row.mappingHash,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    scheduledFor: row.scheduledFor,
    dispatchedAt: row.dispatchedAt,
    skippedFor: row.skippedFor,
    acceptFetchDrop: row.acceptFetchDrop,
    reingested: row.reingested,
    reingestFailed: row.reingestFailed,
    deleted: row.deleted,
    deleteFailed: row.deleteFailed,
    reconcileMs: row.reconcileMs,
    deletionDecision: row.deletionDecision as DeletionDecision | null,
    deletionReason: row.deletionReason,
    deletionDetails: row.deletionDetails,
    resources: row.resources.map(toResourceRecord),
  };
}

export function toResourceRecord(row: RunRow['resources'][number]): SyncRunResourceRecord {
  return {
    resourceIndex: row.resourceIndex,
    kind: row.kind,
    blueprint: row.blueprint,
    status: row.status,
    fetched: row.fetched,
    fetchFailed: row.fetchFailed,
    transformed: row.transformed,
    filteredOut: row.filteredOut,
    transformFailed: row.transformFailed,
    ingested: row.ingested,
    notChanged: row.notChanged,
    ingestFailed: row.ingestFailed,
    extractMs: row.extractMs,
    transformMs: row.transformMs,
    loadMs: row.loadMs,
    errorSamples: row.errorSamples as unknown as ErrorSample[],
    error: row.error,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
