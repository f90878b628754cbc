import type { OwnedBlueprintStats, SyncCatalogRepository } from '@mooring/persistence';

const CHUNK = 500;

export interface DeleteUnseenResult {
  readonly deleted: number;
  /** Candidates kept because an entity that stays requires them (deleteDependentEntities off). */
  readonly deleteFailed: number;
  readonly interrupted: boolean;
  /** A later attempt took the run over: this one stopped deleting. */
  readonly superseded: boolean;
}

/**
 * Deletes, blueprint by blueprint and a chunk at a time, the owned entities the run did not see
 * (relation targets of staying entities excepted). Candidates are read from the database in
 * identifier order, so memory holds one chunk; an abort stops between chunks. Each chunk adds to
 * the run's `deleted` as it commits, and is fenced by the attempt: an attempt that lost the run to
 * a later one deletes nothing more (`superseded`).
 */
export async function deleteUnseen(
  catalog: SyncCatalogRepository,
  run: { readonly orgId: string; readonly installationId: string; readonly runId: string; readonly attempt: number },
  blueprints: readonly OwnedBlueprintStats[],
  options: {
    readonly deleteDependents: boolean;
    readonly settledBefore: Date | null;
    /** Resources the run skipped: what they wrote is never a candidate. */
    readonly kept?: readonly string[];
    readonly signal: AbortSignal;
  },
): Promise<DeleteUnseenResult> {
  let deleted = 0;
  let deleteFailed = 0;
  for (const { blueprint } of blueprints) {
    let after: string | null = null;
    for (;;) {
      if (options.signal.aborted) return { deleted, deleteFailed, interrupted: true, superseded: false };
      const candidates = await catalog.deletionCandidates(
        run.orgId,
        run.installationId,
        run.runId,
        blueprint,
        after,
        CHUNK,
        options.settledBefore,
        options.kept,
      );
      if (!candidates.length) break;
      const result = await catalog.deleteForRun(run.orgId, run, blueprint, candidates, {
        deleteDependents: options.deleteDependents,
      });
      if (!result) return { deleted, deleteFailed, interrupted: false, superseded: true };
      deleted += result.deleted.length;
      deleteFailed += result.blocked.length;
      after = candidates.at(-1)!;
    }
  }
  return { deleted, deleteFailed, interrupted: false, superseded: false };
}
