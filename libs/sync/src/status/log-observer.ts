import type { Logger } from '@mooring/platform';
import type { RunObserver, StageEvent } from './stage-events.js';

/** The process's log lines for a run: its start and how the attempt ended. */
export class LogObserver implements RunObserver {
  private attempt: number | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly ids: { readonly orgId: string; readonly installationId: string; readonly runId: string },
  ) {}

  observe(event: StageEvent): void {
    const log = { orgId: this.ids.orgId, installationId: this.ids.installationId, runId: this.ids.runId, attempt: this.attempt };
    switch (event.type) {
      case 'run.started':
        this.attempt = event.attempt;
        this.logger.info({ ...log, attempt: event.attempt }, 'sync run started');
        return;
      case 'run.finished': {
        if (!event.started) return;
        const outcome = event.outcome;
        if (outcome.kind === 'superseded') {
          this.logger.warn(log, 'sync run attempt superseded by a later attempt; it stops without ending the run');
        } else if (outcome.kind === 'handedBack') {
          this.logger.info(log, 'sync run handed back at a page boundary; it resumes in another attempt');
        } else if (outcome.kind === 'retryLater') {
          this.logger.warn({ ...log, err: outcome.cause }, 'sync run hit a transient error; it is retried in a new attempt');
        } else {
          const { record } = outcome;
          this.logger.info(
            {
              ...log,
              status: record.status,
              errorCode: record.errorCode,
              deleted: record.deleted,
              decision: record.deletionDecision,
            },
            'sync run finished',
          );
        }
        return;
      }
      case 'run.interrupted':
        if (event.attempt === undefined) return;
        this.logger.error({ ...log, err: event.error }, 'sync run interrupted; a retry will start a new attempt');
        return;
      default:
        return;
    }
  }
}
