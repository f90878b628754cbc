// Records of sync runs: what the engine writes and the status API reads.

export const SYNC_RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'aborted', 'skipped'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

export type DeletionDecision = 'deleted' | 'nothing_to_delete' | 'skipped';

export interface ErrorSample {
  readonly phase: 'extract' | 'transform' | 'load' | 'reingest';
  readonly reason: string;
  readonly identifier?: string;
  readonly field?: string;
}

/** Ocean's per-kind counters, plus a duration per phase. */
export interface ResourceCounts {
  fetched: number;
  fetchFailed: number;
  transformed: number;
  filteredOut: number;
  transformFailed: number;
  ingested: number;
  notChanged: number;
  ingestFailed: number;
  extractMs: number;
  transformMs: number;
  loadMs: number;
}

export interface SyncRunResourceRecord extends ResourceCounts {
  readonly resourceIndex: number;
  readonly kind: string;
  readonly blueprint: string | null;
  readonly status: SyncRunStatus;
  readonly errorSamples: readonly ErrorSample[];
  readonly error: string | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface ReconciliationRecord {
  readonly reingested: number;
  readonly reingestFailed: number;
  readonly deleted: number;
  readonly deleteFailed: number;
  readonly reconcileMs: number | null;
  readonly deletionDecision: DeletionDecision | null;
  readonly deletionReason: string | null;
  readonly deletionDetails: unknown;
}

export interface SyncRunRecord extends ReconciliationRecord {
  readonly id: string;
  readonly orgId: string;
  readonly installationId: string;
  readonly status: SyncRunStatus;
  readonly trigger: string;
  readonly attempt: number;
  readonly mappingHash: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** The due time of a scheduled run (or skip). */
  readonly scheduledFor: Date | null;
  /** When the dispatcher admitted it; null while it waits for a slot. */
  readonly dispatchedAt: Date | null;
  /** For a skipped run: the active run it yielded to. */
  readonly skippedFor: string | null;
  /** Asked for by a user who confirmed a drop in fetched items is real: deletion ignores maxFetchDrop. */
  readonly acceptFetchDrop: boolean;
  readonly resources: readonly SyncRunResourceRecord[];
}

export interface ResourceStart {
  readonly resourceIndex: number;
  readonly kind: string;
  readonly blueprint: string | null;
}

export interface ResourceFinish {
  readonly status: SyncRunStatus;
  readonly counts: ResourceCounts;
  readonly errorSamples: readonly ErrorSample[];
  readonly error: string | null;
}

export interface RunFinish {
  readonly status: Exclude<SyncRunStatus, 'pending' | 'running'>;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
  readonly reconciliation: Omit<ReconciliationRecord, 'deleted' | 'deletionDetails'> & { readonly deletionDetails?: unknown };
  /** Its fetch counts passed the drop rules: later runs compare theirs with them. */
  readonly fetchBaseline?: boolean;
}

/** The reconciliation of a run that ended before reaching it: nothing reingested, nothing deleted, and why. */
export function notReconciled(reason: string): RunFinish['reconciliation'] {
  return {
    reingested: 0,
    reingestFailed: 0,
    deleteFailed: 0,
    reconcileMs: null,
    deletionDecision: 'skipped',
    deletionReason: reason,
  };
}

/** Owned entities of one blueprint, and how many of them the run did not see. */
export interface OwnedBlueprintStats {
  readonly blueprint: string;
  readonly owned: number;
  /** Deletion candidates: not seen by the run, not a relation target of an entity that stays, settled. */
  readonly unseen: number;
  /** Not seen, but written within the tool's listing lag: left for a later run (0 without a lag). */
  readonly deferred: number;
}

export interface PendingEntity {
  readonly blueprint: string;
  readonly identifier: string;
  readonly resourceIndex: number;
  readonly entity: unknown;
  readonly reason: string;
}

export interface RawSampleRecord {
  readonly kind: string;
  readonly items: readonly unknown[];
  readonly runId: string | null;
  readonly capturedAt: Date;
}

export const SYNC_RUN_EVENT_LEVELS = ['info', 'warn', 'error'] as const;
export type SyncRunEventLevel = (typeof SYNC_RUN_EVENT_LEVELS)[number];

/** One entry of a run's event log, as the engine or the worker writes it (details: no secrets). */
export interface NewSyncRunEvent {
  readonly level: SyncRunEventLevel;
  /** Dotted, stable: run.started, resource.finished, deletion.decided, job.retried, ... */
  readonly type: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface SyncRunEventRecord extends Required<NewSyncRunEvent> {
  /** Order of writing across the whole table (a bigint, as a string). */
  readonly seq: string;
  readonly runId: string;
  readonly occurredAt: Date;
}

/** A run's counts summed over its resources, plus what reconciliation deleted. */
export interface SyncRunTotals {
  readonly fetched: number;
  readonly transformed: number;
  readonly filteredOut: number;
  readonly ingested: number;
  readonly notChanged: number;
  /** Items or entities that failed in any phase: fetch, map, ingest. */
  readonly failed: number;
  readonly deleted: number;
}

/** What the data-sources overview shows of one installation's syncs and catalog footprint. */
export interface InstallationSyncOverview {
  readonly lastRun: {
    readonly id: string;
    readonly status: SyncRunStatus;
    readonly trigger: string;
    readonly startedAt: Date | null;
    readonly finishedAt: Date | null;
    readonly errorCode: string | null;
    readonly totals: SyncRunTotals;
  } | null;
  readonly activeRun: {
    readonly id: string;
    readonly status: SyncRunStatus;
    readonly createdAt: Date;
    readonly startedAt: Date | null;
  } | null;
  readonly entities: { readonly total: number; readonly byBlueprint: Readonly<Record<string, number>> };
}

/** How long run history is kept: a run goes only when both rules let it go. */
export interface RunRetention {
  /** Ended runs younger than this are kept. */
  readonly maxAgeDays: number;
  /** The newest runs of each installation are kept whatever their age. */
  readonly keepNewest: number;
}

export const DEFAULT_RUN_RETENTION: RunRetention = { maxAgeDays: 30, keepNewest: 1_000 };
