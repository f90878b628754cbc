import { isDomainError, type ErrorCode } from '@mooring/platform';
import { notReconciled, type RunFinish } from '@mooring/persistence';
import type { ResourceOutcome } from '../reconcile/decide-deletion.js';
import type { DeletionOutcome } from '../reconcile/reconcile.js';
import type { ReingestResult } from '../reconcile/reingest.js';
import { ended, type RunOutcome } from './run-outcome.js';
import type { RunLedger } from './run-ledger.js';

export interface RunResult {
  readonly outcomes: readonly ResourceOutcome[];
  readonly reingest: ReingestResult;
  readonly deletion: DeletionOutcome;
  readonly aborted: boolean;
  /** Why it was aborted: a DomainError (e.g. the time limit) gives the run its code and message. */
  readonly abortReason?: unknown;
}

/** Ends a run that went through reconciliation: aborted, failed (a resource failed) or completed. */
export function finishRun(ledger: RunLedger, result: RunResult): Promise<RunOutcome> {
  const failed = result.outcomes.find((outcome) => outcome.status === 'failed');
  const status = result.aborted ? 'aborted' : failed ? 'failed' : 'completed';
  const mapping = failed?.failedIn === 'transform';
  return end(ledger, {
    status,
    errorCode:
      status === 'failed'
        ? mapping
          ? 'MAPPING_STOPPED'
          : (failed?.credentialsError ?? 'EXTRACT_FAILED')
        : status === 'aborted'
          ? abortCode(result.abortReason)
          : null,
    errorMessage:
      status === 'failed'
        ? `resource ${failed!.key} ${mapping ? 'was stopped while mapping' : 'failed to extract'}`
        : status === 'aborted'
          ? abortMessage(result.abortReason)
          : null,
    reconciliation: {
      reingested: result.reingest.reingested,
      reingestFailed: result.reingest.reingestFailed,
      deleteFailed: result.deletion.deleteFailed,
      reconcileMs: result.deletion.ms,
      deletionDecision: result.deletion.decision,
      deletionReason: result.deletion.reason,
      deletionDetails: result.deletion.details,
    },
    fetchBaseline: result.deletion.trustedCounts,
  });
}

/**
 * Ends a run before reconciliation, nothing deleted: aborted (with the abort reason's code when it
 * is a DomainError, e.g. the time limit), or failed with an expected error's code (e.g. refused
 * credentials).
 */
export function endEarly(ledger: RunLedger, signal: AbortSignal, error: unknown): Promise<RunOutcome> {
  const aborted = signal.aborted;
  return end(ledger, {
    status: aborted ? 'aborted' : 'failed',
    errorCode: aborted ? abortCode(signal.reason) : isDomainError(error) ? error.code : 'INTERNAL',
    errorMessage: aborted ? abortMessage(signal.reason) : error instanceof Error ? error.message : String(error),
    reconciliation: notReconciled(aborted ? 'the run was aborted' : 'the run failed before reconciliation'),
  });
}

async function end(ledger: RunLedger, finish: RunFinish): Promise<RunOutcome> {
  const record = await ledger.finish(finish);
  return record === 'superseded' ? { kind: 'superseded', attempt: ledger.currentAttempt! } : ended(record);
}

/** Codes that mean the installation's credentials no longer work: the run's own error code. */
const CREDENTIALS_CODES: ReadonlySet<ErrorCode> = new Set([
  'CREDENTIALS_INVALID',
  'CREDENTIALS_SCOPE_MISSING',
  'CREDENTIALS_UNREADABLE',
  'REAUTH_REQUIRED',
]);

export function credentialsError(error: unknown): ErrorCode | undefined {
  return isDomainError(error) && CREDENTIALS_CODES.has(error.code) ? error.code : undefined;
}

function abortCode(reason: unknown): string {
  return isDomainError(reason) ? reason.code : 'ABORTED';
}

function abortMessage(reason: unknown): string {
  return isDomainError(reason) ? reason.message : 'the run was aborted';
}
