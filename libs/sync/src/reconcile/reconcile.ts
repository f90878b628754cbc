import type { DeletionDecision as RecordedDecision, SyncCatalogRepository } from '@mooring/persistence';
import type { MappingConfig } from '../mapping/index.js';
import { decideDeletion, keptResources, type ResourceOutcome } from './decide-deletion.js';
import { deleteUnseen } from './delete-unseen.js';

export interface DeletionOutcome {
  readonly decision: RecordedDecision;
  readonly reason: string;
  readonly details: unknown;
  /** The run's fetch counts passed the drop rules: they are the baseline of later runs. */
  readonly trustedCounts: boolean;
  /** Deleted by this attempt (the run's `deleted` adds up every attempt's). */
  readonly deleted: number;
  readonly deleteFailed: number;
  readonly ms: number;
}

/** What reconciliation reads of the run (the engine's run context has it all). */
export interface ReconcileRun {
  readonly ids: { readonly orgId: string; readonly installationId: string; readonly runId: string };
  readonly attempt: number;
  readonly startedAt: Date;
  readonly integration: { readonly listingLagSeconds?: number };
  readonly acceptFetchDrop: boolean;
  readonly installation: { readonly maxFetchDrop: number };
  readonly mapping: {
    readonly resources: readonly unknown[];
    readonly config: Pick<MappingConfig, 'entityDeletionThreshold' | 'deleteDependentEntities'>;
  };
  readonly load: { readonly catalog: SyncCatalogRepository };
  readonly ledger: { lastTrustedFetched(): Promise<Map<string, number>> };
}

/**
 * Decides whether the run may delete what it did not see, and if so deletes it; 'superseded' when
 * a later attempt took the run over meanwhile (this one then deletes nothing more).
 */
export async function reconcile(
  run: ReconcileRun,
  outcomes: readonly ResourceOutcome[],
  signal: AbortSignal,
): Promise<DeletionOutcome | 'superseded'> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { orgId, installationId, runId } = run.ids;
  const settledBefore = settledSince(run);
  const decision = await decideDeletion({
    aborted: signal.aborted,
    resourceCount: run.mapping.resources.length,
    outcomes,
    lastFetched: await run.ledger.lastTrustedFetched(),
    maxFetchDrop: run.installation.maxFetchDrop,
    acceptFetchDrop: run.acceptFetchDrop,
    threshold: run.mapping.config.entityDeletionThreshold,
    stats: (kept) => run.load.catalog.ownedStats(orgId, installationId, runId, settledBefore, kept),
  });
  if (decision.decision !== 'delete') {
    return {
      decision: decision.decision,
      reason: decision.reason,
      details: decision.details ?? null,
      trustedCounts: decision.trustedCounts,
      deleted: 0,
      deleteFailed: 0,
      ms: elapsed(),
    };
  }
  const result = await deleteUnseen(run.load.catalog, { ...run.ids, attempt: run.attempt }, decision.blueprints, {
    deleteDependents: run.mapping.config.deleteDependentEntities,
    settledBefore,
    kept: keptResources(outcomes),
    signal,
  });
  if (result.superseded) return 'superseded';
  const reason = result.interrupted
    ? 'the run was aborted while deleting; the rest is left for the next clean run'
    : 'every resource completed cleanly and each blueprint is within entityDeletionThreshold';
  return {
    decision: 'deleted',
    reason,
    details: decision.details,
    trustedCounts: true,
    deleted: result.deleted,
    deleteFailed: result.deleteFailed,
    ms: elapsed(),
  };
}

/**
 * When the tool's listings may lag behind its writes, only entities last written before the run
 * started, less the lag, are settled enough to delete: one a live event wrote later may simply not
 * be listed yet (Jira's search right after a create). Null: every unseen entity is a candidate.
 */
function settledSince(run: ReconcileRun): Date | null {
  const lag = run.integration.listingLagSeconds;
  return lag ? new Date(run.startedAt.getTime() - lag * 1000) : null;
}
