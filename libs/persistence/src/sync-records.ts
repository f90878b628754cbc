// Records of sync runs: what the engine writes and the status API (issue 5) reads.

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
  readonly reconciliation: Omit<ReconciliationRecord, 'deletionDetails'> & { readonly deletionDetails?: unknown };
}

/** Owned entities of one blueprint, and how many of them the run did not see. */
export interface OwnedBlueprintStats {
  readonly blueprint: string;
  readonly owned: number;
  readonly unseen: number;
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
