import type { OwnedBlueprintStats, ResourceCounts } from '@mooring/persistence';

/** What reconciliation needs to know about each resource of the run. */
export interface ResourceOutcome {
  readonly key: string;
  readonly status: 'completed' | 'failed' | 'aborted';
  /** Which phase failed, when the status is failed. */
  readonly failedIn?: 'extract' | 'transform';
  /** The tool's error code when extraction failed on the installation's credentials. */
  readonly credentialsError?: string;
  readonly counts: Pick<ResourceCounts, 'fetched' | 'fetchFailed' | 'transformFailed'>;
}

export interface DeletionInput {
  readonly aborted: boolean;
  /** How many resources the mapping has (an empty mapping never deletes). */
  readonly resourceCount: number;
  readonly outcomes: readonly ResourceOutcome[];
  /** Items each resource (`kind-index`) fetched in the last completed run. */
  readonly lastFetched: ReadonlyMap<string, number>;
  readonly threshold: number;
  /** Owned entities and deletion candidates per blueprint; read only when every other rule passed. */
  readonly stats: () => Promise<readonly OwnedBlueprintStats[]>;
}

export type DeletionDecision =
  | { readonly decision: 'skipped'; readonly reason: string; readonly details?: unknown }
  | { readonly decision: 'nothing_to_delete'; readonly reason: string; readonly details: unknown }
  | { readonly decision: 'delete'; readonly blueprints: readonly OwnedBlueprintStats[]; readonly details: unknown };

/**
 * Whether this run may delete what it did not see. Only after a complete, clean pass: every
 * resource extracted (no item skipped) and transformed without error, the run not aborted, no resource that had items
 * last time came back empty, and for every blueprint the share to delete within the threshold, out
 * of everything the installation owns of it. The first rule that fails is the recorded reason.
 */
export async function decideDeletion(input: DeletionInput): Promise<DeletionDecision> {
  if (input.aborted) return { decision: 'skipped', reason: 'the run was aborted' };
  if (input.resourceCount === 0) return { decision: 'skipped', reason: 'the mapping has no resources' };
  if (input.outcomes.length < input.resourceCount) {
    return { decision: 'skipped', reason: 'not every resource ran' };
  }
  const failed = input.outcomes.find((outcome) => outcome.status !== 'completed');
  if (failed) {
    const what =
      failed.status === 'aborted'
        ? 'was aborted'
        : failed.failedIn === 'transform'
          ? 'was stopped while mapping'
          : 'failed to extract';
    return { decision: 'skipped', reason: `resource ${failed.key} ${what}` };
  }
  const fetchFailures = input.outcomes.find((outcome) => outcome.counts.fetchFailed > 0);
  if (fetchFailures) {
    return {
      decision: 'skipped',
      reason: `resource ${fetchFailures.key} could not fetch ${fetchFailures.counts.fetchFailed} item(s)`,
    };
  }
  const mapFailures = input.outcomes.find((outcome) => outcome.counts.transformFailed > 0);
  if (mapFailures) {
    return {
      decision: 'skipped',
      reason: `resource ${mapFailures.key} had ${mapFailures.counts.transformFailed} item(s) that failed to map`,
    };
  }
  const emptied = input.outcomes.find((outcome) => outcome.counts.fetched === 0 && (input.lastFetched.get(outcome.key) ?? 0) > 0);
  if (emptied) {
    return {
      decision: 'skipped',
      reason: `resource ${emptied.key} returned 0 items but had ${input.lastFetched.get(emptied.key)} in the last completed run`,
    };
  }
  const stats = await input.stats();
  const details = {
    threshold: input.threshold,
    blueprints: stats.map((s) => ({ blueprint: s.blueprint, owned: s.owned, toDelete: s.unseen, share: share(s) })),
  };
  const over = stats.find((s) => share(s) > input.threshold);
  if (over) {
    return {
      decision: 'skipped',
      reason: `deleting ${over.unseen} of ${over.owned} ${over.blueprint} entities (${Math.round(share(over) * 100)}%) exceeds entityDeletionThreshold ${input.threshold}`,
      details,
    };
  }
  const toDelete = stats.filter((s) => s.unseen > 0);
  if (!toDelete.length) return { decision: 'nothing_to_delete', reason: 'every owned entity was seen', details };
  return { decision: 'delete', blueprints: toDelete, details };
}

function share(stats: OwnedBlueprintStats): number {
  return stats.owned ? stats.unseen / stats.owned : 0;
}
