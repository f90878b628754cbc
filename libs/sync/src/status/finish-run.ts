import { isDomainError, type ErrorCode, type Logger } from '@mooring/platform';
import { notReconciled, type NewSyncRunEvent, type SyncRunRecord } from '@mooring/persistence';
import type { ResourceOutcome } from '../reconcile/decide-deletion.js';
import type { DeletionOutcome } from '../reconcile/reconcile.js';
import type { ReingestResult } from '../reconcile/reingest.js';
import type { RunContext } from '../run-context.js';
import { RunInterrupted, RunSuperseded, TransientSyncFailure } from '../run-interruptions.js';

export interface RunResult {
  readonly outcomes: readonly ResourceOutcome[];
  readonly reingest: ReingestResult;
  readonly deletion: DeletionOutcome;
  readonly aborted: boolean;
  /** Why it was aborted: a DomainError (e.g. the time limit) gives the run its code and message. */
  readonly abortReason?: unknown;
}

/** Records the run's end: aborted, failed (a resource failed to extract) or completed. */
export async function finishRun(run: RunContext, result: RunResult): Promise<SyncRunRecord> {
  for (const [index, samples] of result.reingest.samples) await run.ledger.appendSamples(index, samples);
  const { reingested, reingestFailed } = result.reingest;
  if (reingested || reingestFailed) {
    run.events.note({
      level: reingestFailed ? 'warn' : 'info',
      type: 'reingest.finished',
      message: `${reingested} entit${reingested === 1 ? 'y' : 'ies'} written once their related entities existed; ${reingestFailed} still missing one`,
      details: { reingested, reingestFailed },
    });
  }
  const deletion = result.deletion;
  run.events.note({
    level: deletion.deleteFailed ? 'warn' : 'info',
    type: 'deletion.decided',
    message:
      deletion.decision === 'deleted'
        ? `deleted ${deletion.deleted} entit${deletion.deleted === 1 ? 'y' : 'ies'} the tool no longer has${deletion.deleteFailed ? ` (${deletion.deleteFailed} failed)` : ''}`
        : deletion.decision === 'skipped'
          ? `deletion skipped: ${deletion.reason}`
          : 'nothing to delete',
    details: {
      decision: deletion.decision,
      reason: deletion.reason,
      deleted: deletion.deleted,
      deleteFailed: deletion.deleteFailed,
    },
  });
  const failed = result.outcomes.find((outcome) => outcome.status === 'failed');
  const status = result.aborted ? 'aborted' : failed ? 'failed' : 'completed';
  const mapping = failed?.failedIn === 'transform';
  return run.ledger.finish({
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
 * Runs the pipeline and settles the run whatever happens. An abort ends it as aborted; an expected
 * failure (a DomainError, e.g. rejected credentials) as failed with its code. Anything else (the
 * database going away, a bug) is rethrown with the run left running, so the job's retry starts a
 * new attempt: loads are hash-guarded and deletion needs a complete pass, so a retry is safe.
 */
export async function settleRun(
  run: RunContext,
  signal: AbortSignal,
  logger: Logger | undefined,
  pipeline: () => Promise<SyncRunRecord>,
): Promise<SyncRunRecord> {
  const log = { orgId: run.ids.orgId, installationId: run.ids.installationId, runId: run.ids.runId, attempt: run.attempt };
  logger?.info(log, 'sync run started');
  try {
    const record = await pipeline();
    await run.events.record(endEvent(record));
    run.metrics?.recordRun(run.integration.id, record);
    logger?.info(
      { ...log, status: record.status, deleted: record.deleted, decision: record.deletionDecision },
      'sync run finished',
    );
    return record;
  } catch (error) {
    if (error instanceof RunSuperseded) {
      logger?.warn(log, 'sync run attempt superseded by a later attempt; it stops without ending the run');
      throw error;
    }
    if (error instanceof RunInterrupted || (signal.aborted && signal.reason instanceof RunInterrupted)) {
      logger?.info(log, 'sync run handed back at a page boundary; it resumes in another attempt');
      throw signal.reason instanceof RunInterrupted ? signal.reason : error;
    }
    if (error instanceof TransientSyncFailure) {
      logger?.warn({ ...log, err: error }, 'sync run hit a transient error; it is retried in a new attempt');
      throw error;
    }
    if (!signal.aborted && !isDomainError(error)) {
      logger?.error({ ...log, err: error }, 'sync run interrupted; a retry will start a new attempt');
      // Best effort: what interrupted the run (the database going away) may keep this from being written.
      await run.events
        .record({
          level: 'error',
          type: 'run.interrupted',
          message: `attempt ${run.attempt} was interrupted (${error instanceof Error ? error.message : String(error)}); a retry starts a new attempt`,
          details: { attempt: run.attempt },
        })
        .catch(() => {});
      throw error;
    }
    const aborted = signal.aborted;
    const record = await run.ledger.finish({
      status: aborted ? 'aborted' : 'failed',
      errorCode: aborted ? abortCode(signal.reason) : isDomainError(error) ? error.code : 'INTERNAL',
      errorMessage: aborted ? abortMessage(signal.reason) : error instanceof Error ? error.message : String(error),
      reconciliation: notReconciled(aborted ? 'the run was aborted' : 'the run failed before reconciliation'),
    });
    await run.events.record(endEvent(record));
    run.metrics?.recordRun(run.integration.id, record);
    logger?.warn({ ...log, status: record.status, errorCode: record.errorCode }, 'sync run ended early');
    return record;
  }
}

function endEvent(record: SyncRunRecord): NewSyncRunEvent {
  const seconds =
    record.startedAt && record.finishedAt ? (record.finishedAt.getTime() - record.startedAt.getTime()) / 1000 : null;
  const took = seconds === null ? '' : ` in ${seconds.toFixed(1)} s`;
  const error = record.errorCode ? { errorCode: record.errorCode, errorMessage: record.errorMessage } : {};
  switch (record.status) {
    case 'completed':
      return { level: 'info', type: 'run.completed', message: `the run completed${took}`, details: { attempt: record.attempt } };
    case 'aborted':
      return {
        level: 'warn',
        type: 'run.aborted',
        message: `the run was aborted${took}`,
        details: { attempt: record.attempt, ...error },
      };
    default:
      return {
        level: 'error',
        type: 'run.failed',
        message: `the run failed${took}: ${record.errorMessage ?? record.errorCode ?? 'unknown error'}`,
        details: { attempt: record.attempt, ...error },
      };
  }
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
