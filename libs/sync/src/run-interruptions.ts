// How a run can stop without ending: the worker hands it back, and the run (still running in the
// ledger, with the resources it completed kept) resumes in a later attempt.

/** The worker is shutting down: the run stops at a page boundary and resumes elsewhere. */
export class RunInterrupted extends Error {
  override readonly name = 'RunInterrupted';

  constructor() {
    super('the worker is shutting down; the run resumes in another attempt');
  }
}

/** A resource failed to extract for a reason that may pass (network, 5xx, 429): retry the run. */
export class TransientSyncFailure extends Error {
  override readonly name = 'TransientSyncFailure';

  constructor(
    readonly resourceKey: string,
    override readonly cause: unknown,
  ) {
    super(`resource ${resourceKey} failed to extract: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Another worker started a later attempt of this run (this one lost its job lock): this attempt
 * stops without ending the run or deleting anything; the later attempt owns it.
 */
export class RunSuperseded extends Error {
  override readonly name = 'RunSuperseded';

  constructor(readonly attempt: number) {
    super(`attempt ${attempt} was superseded by a later attempt of the run`);
  }
}
