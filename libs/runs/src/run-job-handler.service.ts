import { Inject, Injectable } from '@nestjs/common';
import { InstallationLifecycle, IntegrationConnections } from '@mooring/installations';
import {
  InstallationRepository,
  RunQueueRepository,
  SyncRunEventRepository,
  SyncRunRepository,
  notReconciled,
  type SyncRunRecord,
} from '@mooring/persistence';
import { DomainError, type ErrorCode, type Logger } from '@mooring/platform';
import { DispatchSignal, type RunAttempt, type RunJobOutcome, type SyncRunHandler, type SyncRunJob } from '@mooring/queue';
import { RunInterrupted, SyncEngine, SyncMetrics, recordRunEvents } from '@mooring/sync';
import { RETRY_DECISION_BY_CODE, isTransient, retryDelayMs } from './retry-policy.js';
import { RunMetrics } from './run-metrics.js';
import { RUN_WORKER_OPTIONS, type RunWorkerOptions } from './runs.config.js';

export const RUN_LOGGER = Symbol('RUN_LOGGER');

const DONE: RunJobOutcome = { kind: 'done' };

/**
 * Runs one admitted sync run in a worker: the engine with the installation's connection, within the
 * run's time limit. A transient tool failure is retried with backoff (the run stays running and
 * keeps the resources it completed); rejected credentials mark the installation needs_reauth and
 * pause its schedule; a shutdown hands the run back at a page boundary. Afterwards it starts the
 * follow-up run a change asked for and wakes the dispatcher: a slot is free.
 */
@Injectable()
export class RunJobHandler implements SyncRunHandler {
  constructor(
    private readonly engine: SyncEngine,
    private readonly connections: IntegrationConnections,
    private readonly installations: InstallationRepository,
    private readonly runs: SyncRunRepository,
    private readonly events: SyncRunEventRepository,
    private readonly queue: RunQueueRepository,
    private readonly dispatch: DispatchSignal,
    private readonly metrics: RunMetrics,
    private readonly syncMetrics: SyncMetrics,
    private readonly lifecycle: InstallationLifecycle,
    @Inject(RUN_WORKER_OPTIONS) private readonly options: RunWorkerOptions,
    @Inject(RUN_LOGGER) private readonly logger: Logger,
  ) {}

  async handleRun(ids: SyncRunJob, attempt: RunAttempt): Promise<RunJobOutcome> {
    const run = await this.runs.find(ids.orgId, ids.runId);
    const installation = run && (await this.installations.find(ids.orgId, ids.installationId));
    if (!run || !installation || (run.status !== 'pending' && run.status !== 'running')) return DONE; // gone, or already ended
    if (run.status === 'pending') {
      this.metrics.waited(installation.integrationId, (Date.now() - (run.scheduledFor ?? run.createdAt).getTime()) / 1000);
    }

    const deadline = (run.startedAt ?? new Date()).getTime() + this.options.timeoutSeconds * 1000;
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(new DomainError('RUN_TIMED_OUT', `the run exceeded its time limit of ${this.options.timeoutSeconds} s`)),
      Math.max(0, deadline - Date.now()),
    );
    const started = performance.now();
    const lease = this.holdLease(ids);
    try {
      await lease.first;
      const outcome = await this.engine.run(ids, (target, signal) => this.connections.forRecord(target, signal), {
        signal: AbortSignal.any([attempt.shutdown, limit.signal]),
        // On the last attempt a transient failure ends the run failed, like any other.
        ...(attempt.number < attempt.maxAttempts ? { isTransient } : {}),
        logger: this.logger,
        metrics: this.syncMetrics,
      });
      switch (outcome.kind) {
        case 'handedBack':
          return { kind: 'handedBack' };
        case 'superseded':
          return DONE; // the later attempt's worker owns the run now
        case 'retryLater':
          this.metrics.ran(installation.integrationId, 'retried', (performance.now() - started) / 1000);
          this.metrics.retried('transient');
          await this.noteRetry(ids, attempt, outcome.reason);
          return outcome;
        default:
          this.metrics.ran(installation.integrationId, outcome.record.status, (performance.now() - started) / 1000);
          await this.afterRun(outcome.record);
          return DONE;
      }
    } catch (error) {
      // Not the tool: the database went away, or a bug. Retried while attempts remain, then recorded.
      this.metrics.ran(installation.integrationId, 'retried', (performance.now() - started) / 1000);
      if (attempt.number < attempt.maxAttempts) {
        this.metrics.retried('error');
        await this.noteRetry(ids, attempt, errorText(error));
        return { kind: 'retryLater', reason: errorText(error), cause: error };
      }
      await this.runs.finish(ids.orgId, ids.runId, {
        status: 'failed',
        errorCode: 'INTERNAL',
        errorMessage: `the run failed on every attempt (${attempt.maxAttempts}); the last error: ${errorText(error)}`,
        reconciliation: notReconciled('the run failed before reconciliation'),
      });
      this.logger.error({ ...ids, err: error }, 'sync run failed on its last attempt');
      await this.wakeDispatcher();
      return DONE;
    } finally {
      clearTimeout(timer);
      lease.release();
    }
  }

  /**
   * The run's lease in PostgreSQL, renewed every third of RUN_LEASE_SECONDS while this worker runs
   * it: proof that its worker lives which, unlike the queue job, survives Redis losing its data. A
   * renewal that fails (the database is away) is retried at the next beat.
   */
  private holdLease(ids: SyncRunJob): { first: Promise<void>; release: () => void } {
    const renew = () => this.runs.renewLease(ids.orgId, ids.runId, this.options.leaseSeconds);
    const beat = setInterval(
      () => {
        renew().catch((error: unknown) => this.logger.warn({ ...ids, err: error }, 'could not renew the run’s lease'));
      },
      (this.options.leaseSeconds * 1000) / 3,
    );
    beat.unref();
    return { first: renew(), release: () => clearInterval(beat) };
  }

  shutdownReason(): RunInterrupted {
    return new RunInterrupted();
  }

  retryDelayMs(attemptsMade: number, error: unknown): number {
    return retryDelayMs(attemptsMade, this.options.retryBaseSeconds * 1000, error);
  }

  /** Best effort: the dispatcher polls too, so a wake-up lost while Redis is down only delays a run. */
  private async wakeDispatcher(): Promise<void> {
    await this.dispatch.notify().catch((error: unknown) => this.logger.warn({ err: error }, 'could not wake the dispatcher'));
  }

  /** Best effort: the event log must not turn a retry into a failure. */
  private async noteRetry(ids: SyncRunJob, attempt: RunAttempt, reason: string): Promise<void> {
    await recordRunEvents(this.events, ids, {
      level: 'warn',
      type: 'job.retried',
      message: `attempt ${attempt.number} of ${attempt.maxAttempts} stopped: ${reason}; retried with backoff`,
      details: { attempt: attempt.number, maxAttempts: attempt.maxAttempts },
    }).catch(() => {});
  }

  private async afterRun(record: SyncRunRecord): Promise<void> {
    const code = record.errorCode as ErrorCode | null;
    if (code && RETRY_DECISION_BY_CODE[code] === 'reauth') {
      // The connection may have made the transition already, with the tool's own words: the first reason stays.
      await this.lifecycle.credentialsRefused(
        record.orgId,
        record.installationId,
        `${code}: ${record.errorMessage ?? 'the tool refused the credentials'}`,
      );
      this.logger.warn(
        { orgId: record.orgId, installationId: record.installationId, code },
        'installation needs new credentials',
      );
    }
    await this.queue.startFollowUp(record.orgId, record.id);
    await this.wakeDispatcher();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
