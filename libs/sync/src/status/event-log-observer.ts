import type { NewSyncRunEvent, SyncRunRecord } from '@mooring/persistence';
import { RunEventLog, type RunEventStore } from './run-event-log.js';
import type { RunObserver, StageEvent } from './stage-events.js';

/**
 * Writes a run's stages to its event log in words, for people reading what a run did: a handful of
 * entries per resource, never per item. What happens together at the end (reingest, the deletion
 * decision, the run's end) is written in one statement.
 */
export class EventLogObserver implements RunObserver {
  private readonly log: RunEventLog;

  constructor(store: RunEventStore, ids: { readonly orgId: string; readonly runId: string }) {
    this.log = new RunEventLog(store, ids);
  }

  async observe(event: StageEvent): Promise<void> {
    switch (event.type) {
      case 'run.started':
        return this.log.record(...started(event));
      case 'run.refused':
        return this.log.record({
          level: 'error',
          type: 'run.failed',
          message: `the run could not start: ${event.error.message}`,
          details: { errorCode: event.error.code },
        });
      case 'resource.kept':
        // A crashed attempt of this run finished it (same mapping): its counts and staged keys stand.
        return this.log.note({
          level: 'info',
          type: 'resource.kept',
          message: `${event.resource.key} was completed by a previous attempt; not fetched again`,
          details: where(event.resource),
        });
      case 'resource.started':
        return this.log.record({
          level: 'info',
          type: 'resource.started',
          message: `${event.resource.key} started`,
          details: where(event.resource),
        });
      case 'resource.finished':
        return this.log.record(resourceFinished(event));
      case 'reingest.finished': {
        const { reingested, reingestFailed } = event.result;
        if (!reingested && !reingestFailed) return;
        return this.log.note({
          level: reingestFailed ? 'warn' : 'info',
          type: 'reingest.finished',
          message: `${reingested} entit${reingested === 1 ? 'y' : 'ies'} written once their related entities existed; ${reingestFailed} still missing one`,
          details: { reingested, reingestFailed },
        });
      }
      case 'deletion.decided': {
        const deletion = event.deletion;
        return this.log.note({
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
      }
      case 'run.finished':
        if (!event.started || !('record' in event.outcome)) return;
        return this.log.record(runEnded(event.outcome.record));
      case 'run.interrupted':
        if (event.attempt === undefined) return;
        // Best effort: what interrupted the run (the database going away) may keep this from being written.
        return this.log
          .record({
            level: 'error',
            type: 'run.interrupted',
            message: `attempt ${event.attempt} was interrupted (${event.error instanceof Error ? event.error.message : String(event.error)}); a retry starts a new attempt`,
            details: { attempt: event.attempt },
          })
          .catch(() => {});
      default:
        return;
    }
  }
}

function where(resource: { readonly kind: string; readonly index: number }) {
  return { kind: resource.kind, kindIndex: resource.index };
}

function started(event: Extract<StageEvent, { type: 'run.started' }>): NewSyncRunEvent[] {
  const { attempt, trigger, kept, keysLost } = event;
  const entries: NewSyncRunEvent[] = [
    {
      level: 'info',
      type: 'run.started',
      message: `attempt ${attempt} started (${trigger}) with ${event.resources.length} resource(s)`,
      details: { attempt, trigger, integration: event.integration, resources: event.resources.map((r) => r.key) },
    },
  ];
  if (attempt > 1) {
    entries.push({
      level: 'warn',
      type: 'run.resumed',
      message: kept.length
        ? `a previous attempt did not finish; keeping the ${kept.length} resource(s) it completed (${kept.join(', ')}) and redoing the rest`
        : keysLost
          ? 'a previous attempt did not finish, and keys its completed resources saw are gone (a crash or a restore lost them): starting over, every resource is fetched again'
          : 'a previous attempt did not finish; starting over (nothing it did is reused)',
      details: { attempt, keptResources: kept, keysLost },
    });
  }
  return entries;
}

function resourceFinished(event: Extract<StageEvent, { type: 'resource.finished' }>): NewSyncRunEvent {
  const { resource, status, error } = event;
  const c = event.tally.counts;
  const failures = c.fetchFailed + c.transformFailed + c.ingestFailed;
  if (status === 'skipped') {
    return {
      level: 'info',
      type: 'resource.skipped',
      message: `${resource.key} skipped, nothing requested and nothing of it deleted: ${error ?? 'unavailable'}`,
      details: { ...where(resource), ...(error ? { error } : {}) },
    };
  }
  return {
    level: status === 'completed' ? (failures ? 'warn' : 'info') : status === 'aborted' ? 'warn' : 'error',
    type: `resource.${status}`,
    message:
      `${resource.key} ${status}: fetched ${c.fetched}, mapped ${c.transformed} (${c.filteredOut} filtered out, ${c.transformFailed} failed), ` +
      `written ${c.ingested}, unchanged ${c.notChanged}, failed to load ${c.ingestFailed}${error ? `; ${error}` : ''}`,
    details: { ...where(resource), counts: { ...c }, ...(error ? { error } : {}) },
  };
}

function runEnded(record: SyncRunRecord): NewSyncRunEvent {
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
