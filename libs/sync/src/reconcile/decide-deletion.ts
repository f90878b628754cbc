import type { OwnedBlueprintStats, ResourceCounts } from '@mooring/persistence';

/** What reconciliation needs to know about each resource of the run. */
export interface ResourceOutcome {
  readonly key: string;
  /** skipped: the kind was unavailable to the installation; what it wrote before is kept, not deleted. */
  readonly status: 'completed' | 'failed' | 'aborted' | 'skipped';
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
  /** Items each resource (`kind-index`) fetched in the last trusted run (see `trustedCounts`). */
  readonly lastFetched: ReadonlyMap<string, number>;
  /** The installation's maxFetchDrop: the largest share by which a resource's fetch count may drop. */
  readonly maxFetchDrop: number;
  /** The user confirmed a drop is real (a resync with acceptFetchDrop): the drop rules are lifted. */
  readonly acceptFetchDrop: boolean;
  readonly threshold: number;
  /**
   * Owned entities and deletion candidates per blueprint, never counting what the skipped resources
   * (`kept`) wrote; read only when every other rule passed.
   */
  readonly stats: (kept: readonly string[]) => Promise<readonly OwnedBlueprintStats[]>;
}

/**
 * `trustedCounts`: the run's fetch counts passed the drop rules (or the user accepted the drop), so
 * later runs compare theirs with them. A run refused before or at those rules is no baseline: a drop
 * that repeats keeps being refused until someone accepts it.
 */
export type DeletionDecision = (
  | { readonly decision: 'skipped'; readonly reason: string; readonly details?: unknown }
  | { readonly decision: 'nothing_to_delete'; readonly reason: string; readonly details: unknown }
  | { readonly decision: 'delete'; readonly blueprints: readonly OwnedBlueprintStats[]; readonly details: unknown }
) & { readonly trustedCounts: boolean };

/**
 * Whether this run may delete what it did not see. Only after a complete, clean pass: every
 * resource extracted and transformed without error (and without an item it failed to fetch), the
 * run not aborted, no resource that had items in the last trusted run come back empty or shrunk by
 * more than maxFetchDrop (unless the user accepted the drop), and for every blueprint the share to
 * delete within the threshold, out of everything the installation owns of it. The first rule that
 * fails is the recorded reason.
 */
export async function decideDeletion(input: DeletionInput): Promise<DeletionDecision> {
  const refused = refusal(input);
  if (refused) return { decision: 'skipped', ...refused };
  const stats = await input.stats(keptResources(input.outcomes));
  // Deferred: unseen, but written within the tool's listing lag; a later run decides on them.
  const deferred = stats.reduce((sum, s) => sum + s.deferred, 0);
  const details = {
    threshold: input.threshold,
    blueprints: stats.map((s) => ({
      blueprint: s.blueprint,
      owned: s.owned,
      toDelete: s.unseen,
      share: share(s),
      ...(s.deferred ? { deferred: s.deferred } : {}),
    })),
    ...(deferred ? { deferred } : {}),
    ...(input.acceptFetchDrop ? { acceptFetchDrop: true } : {}),
  };
  const over = stats.find((s) => share(s) > input.threshold);
  if (over) {
    return {
      decision: 'skipped',
      reason: `deleting ${over.unseen} of ${over.owned} ${over.blueprint} entities (${Math.round(share(over) * 100)}%) exceeds entityDeletionThreshold ${input.threshold}`,
      details,
      trustedCounts: true,
    };
  }
  const toDelete = stats.filter((s) => s.unseen > 0);
  if (!toDelete.length) {
    const reason = deferred
      ? `every owned entity was seen, but ${deferred} written within the tool's listing lag, deferred to a later run`
      : 'every owned entity was seen';
    return { decision: 'nothing_to_delete', reason, details, trustedCounts: true };
  }
  return { decision: 'delete', blueprints: toDelete, details, trustedCounts: true };
}

/** The first rule, before the owned state is read, that refuses deletion. */
function refusal(input: DeletionInput): { reason: string; details?: unknown; trustedCounts: false } | undefined {
  const refuse = (reason: string, details?: unknown) => ({
    reason,
    ...(details ? { details } : {}),
    trustedCounts: false as const,
  });
  if (input.aborted) return refuse('the run was aborted');
  if (input.resourceCount === 0) return refuse('the mapping has no resources');
  if (input.outcomes.length < input.resourceCount) return refuse('not every resource ran');
  const failed = input.outcomes.find((outcome) => outcome.status !== 'completed' && outcome.status !== 'skipped');
  if (failed) {
    const what =
      failed.status === 'aborted'
        ? 'was aborted'
        : failed.failedIn === 'transform'
          ? 'was stopped while mapping'
          : 'failed to extract';
    return refuse(`resource ${failed.key} ${what}`);
  }
  // An item the tool answered but that could not be read is an item the run did not see.
  const unread = input.outcomes.find((outcome) => outcome.counts.fetchFailed > 0);
  if (unread) return refuse(`resource ${unread.key} counted ${unread.counts.fetchFailed} failure(s) to fetch`);
  const mapFailures = input.outcomes.find((outcome) => outcome.counts.transformFailed > 0);
  if (mapFailures) {
    return refuse(`resource ${mapFailures.key} had ${mapFailures.counts.transformFailed} item(s) that failed to map`);
  }
  if (input.acceptFetchDrop) return undefined;
  // A skipped resource fetched nothing by design: no drop to compare, and it deletes nothing.
  const listed = input.outcomes.filter((outcome) => outcome.status !== 'skipped');
  const emptied = listed.find((outcome) => outcome.counts.fetched === 0 && (input.lastFetched.get(outcome.key) ?? 0) > 0);
  if (emptied) {
    const previous = input.lastFetched.get(emptied.key)!;
    return refuse(`resource ${emptied.key} returned 0 items but had ${previous} in the last trusted run`, {
      fetchDrop: { resource: emptied.key, fetched: 0, previous, drop: 1, maxFetchDrop: input.maxFetchDrop },
    });
  }
  for (const outcome of listed) {
    const previous = input.lastFetched.get(outcome.key) ?? 0;
    const drop = previous > 0 ? (previous - outcome.counts.fetched) / previous : 0;
    if (drop > input.maxFetchDrop) {
      return refuse(
        `resource ${outcome.key} fetched ${outcome.counts.fetched} items, ${Math.round(drop * 1000) / 10}% fewer than the ${previous} of the last trusted run (maxFetchDrop ${input.maxFetchDrop})`,
        {
          fetchDrop: { resource: outcome.key, fetched: outcome.counts.fetched, previous, drop, maxFetchDrop: input.maxFetchDrop },
        },
      );
    }
  }
  return undefined;
}

/** Resources the run skipped (unavailable kinds): what they wrote before stays. */
export function keptResources(outcomes: readonly ResourceOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.status === 'skipped').map((outcome) => outcome.key);
}

function share(stats: OwnedBlueprintStats): number {
  return stats.owned ? stats.unseen / stats.owned : 0;
}
