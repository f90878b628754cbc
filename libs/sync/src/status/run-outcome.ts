import type { SyncRunRecord } from '@mooring/persistence';

/**
 * How one attempt at a run ended, as a value: the engine returns it and the worker maps it to its
 * queue once. Only the first three end the run (its record says how); the others leave it running.
 * - `handedBack`: the worker is shutting down; the run stopped at a page boundary and resumes in
 *   another attempt, keeping the resources it completed.
 * - `superseded`: another worker began a later attempt (this one lost its job lock); this attempt
 *   stopped without ending the run or deleting anything.
 * - `retryLater`: a resource failed to extract for a reason that may pass (network, 5xx, 429);
 *   `cause` is the tool's error (it may say how long to wait).
 */
export type RunOutcome =
  | { readonly kind: 'completed'; readonly record: SyncRunRecord }
  | { readonly kind: 'failed'; readonly code: string; readonly record: SyncRunRecord }
  | { readonly kind: 'aborted'; readonly code: string; readonly record: SyncRunRecord }
  | { readonly kind: 'handedBack' }
  | { readonly kind: 'superseded'; readonly attempt: number }
  | { readonly kind: 'retryLater'; readonly reason: string; readonly cause: unknown };

/**
 * The outcome of a run that has ended, read from its record (a run another attempt ended meanwhile,
 * or one the dispatcher skipped, counts as aborted: this attempt did not end it).
 */
export function ended(record: SyncRunRecord): RunOutcome {
  switch (record.status) {
    case 'completed':
      return { kind: 'completed', record };
    case 'failed':
      return { kind: 'failed', code: record.errorCode ?? 'INTERNAL', record };
    default:
      return { kind: 'aborted', code: record.errorCode ?? 'ABORTED', record };
  }
}

/**
 * The reason a worker's shutdown aborts its runs with: the run stops at a page boundary and is
 * handed back (any other abort reason ends the run aborted).
 */
export class RunInterrupted extends Error {
  override readonly name = 'RunInterrupted';

  constructor() {
    super('the worker is shutting down; the run resumes in another attempt');
  }
}

/** Whether the run was stopped to be handed back rather than aborted. */
export function handingBack(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof RunInterrupted;
}
