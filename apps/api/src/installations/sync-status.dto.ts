import type { installationSync, runEvent, syncRun, syncRunSummary, tip as tipSchema, Reply } from '@mooring/contract';
import type {
  InstallationSyncOverview,
  SyncRunEventRecord,
  SyncRunRecord,
  SyncRunResourceRecord,
  SyncRunTotals,
} from '@mooring/persistence';
import type { TroubleshootingTip } from '@mooring/sync';

const iso = (date: Date | null) => date?.toISOString() ?? null;
const durationMs = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);

/** One run in full, shaped like Port's "metrics and sync status" but camelCase: per kind, per phase. */
export function syncRunView(run: SyncRunRecord): Reply<typeof syncRun> {
  return {
    ...runHeader(run),
    resources: run.resources.map(resourceView),
    reconciliation: {
      reingested: run.reingested,
      reingestFailed: run.reingestFailed,
      deleted: run.deleted,
      deleteFailed: run.deleteFailed,
      durationMs: run.reconcileMs,
      deletion: run.deletionDecision
        ? { decision: run.deletionDecision, reason: run.deletionReason, details: run.deletionDetails ?? null }
        : null,
    },
  };
}

/** A run in the history: its header and totals over its resources. */
export function syncRunSummaryView(run: SyncRunRecord): Reply<typeof syncRunSummary> {
  return { ...runHeader(run), totals: totalsOf(run) };
}

export function tipView(tip: TroubleshootingTip): Reply<typeof tipSchema> {
  return {
    code: tip.code,
    severity: tip.severity,
    message: tip.message,
    kind: tip.kind ?? null,
    kindIndex: tip.kindIndex ?? null,
  };
}

export function runEventView(event: SyncRunEventRecord): Reply<typeof runEvent> {
  return {
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    level: event.level,
    type: event.type,
    message: event.message,
    details: event.details,
  };
}

/** What the data-sources overview adds to an installation. */
export function installationSyncView(overview: InstallationSyncOverview | undefined): {
  [K in keyof typeof installationSync]: Reply<(typeof installationSync)[K]>;
} {
  const last = overview?.lastRun ?? null;
  const active = overview?.activeRun ?? null;
  return {
    sync: {
      lastRun: last && {
        id: last.id,
        status: last.status,
        trigger: last.trigger,
        startedAt: iso(last.startedAt),
        finishedAt: iso(last.finishedAt),
        durationMs: durationMs(last.startedAt, last.finishedAt),
        errorCode: last.errorCode,
        totals: last.totals,
      },
      activeRun: active && {
        id: active.id,
        status: active.status,
        createdAt: iso(active.createdAt),
        startedAt: iso(active.startedAt),
      },
    },
    entities: overview?.entities ?? { total: 0, byBlueprint: {} },
  };
}

function runHeader(run: SyncRunRecord) {
  return {
    id: run.id,
    installationId: run.installationId,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    /** Asked for with acceptFetchDrop: the run may delete despite the installation's maxFetchDrop. */
    acceptFetchDrop: run.acceptFetchDrop,
    /** The due time, for a scheduled run or a skipped one. */
    scheduledFor: iso(run.scheduledFor),
    /** For a skipped due time: the run that was still active. */
    skippedFor: run.skippedFor,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: durationMs(run.startedAt, run.finishedAt),
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage } : null,
  };
}

function resourceView(resource: SyncRunResourceRecord) {
  return {
    kind: resource.kind,
    kindIndex: resource.resourceIndex,
    kindIdentifier: `${resource.kind}-${resource.resourceIndex}`,
    blueprint: resource.blueprint,
    status: resource.status,
    startedAt: iso(resource.startedAt),
    finishedAt: iso(resource.finishedAt),
    durationMs: durationMs(resource.startedAt, resource.finishedAt),
    extract: { fetched: resource.fetched, failed: resource.fetchFailed, durationMs: resource.extractMs },
    transform: {
      transformed: resource.transformed,
      filteredOut: resource.filteredOut,
      failed: resource.transformFailed,
      durationMs: resource.transformMs,
    },
    load: {
      ingested: resource.ingested,
      notChanged: resource.notChanged,
      failed: resource.ingestFailed,
      durationMs: resource.loadMs,
    },
    error: resource.error,
    errorSamples: resource.errorSamples,
  };
}

function totalsOf(run: SyncRunRecord): SyncRunTotals {
  const sum = (pick: (r: SyncRunResourceRecord) => number) => run.resources.reduce((total, r) => total + pick(r), 0);
  return {
    fetched: sum((r) => r.fetched),
    transformed: sum((r) => r.transformed),
    filteredOut: sum((r) => r.filteredOut),
    ingested: sum((r) => r.ingested),
    notChanged: sum((r) => r.notChanged),
    failed: sum((r) => r.fetchFailed + r.transformFailed + r.ingestFailed),
    deleted: run.deleted,
  };
}
