import { Injectable, Logger } from '@nestjs/common';
import { RunQueueRepository, SyncRunEventRepository } from '@mooring/persistence';
import { ScheduleRegistry, type ResyncTickHandler, type ResyncTickJob } from '@mooring/queue';
import { Dispatcher } from './dispatcher.service.js';
import { RunMetrics } from './run-metrics.js';

/**
 * A schedule fired: one pending run for that due time, or a recorded skip when a run of the
 * installation is still active. A tick for an installation that is gone or cannot sync removes its
 * schedule (resuming the installation registers it again).
 */
@Injectable()
export class TickHandler implements ResyncTickHandler {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly events: SyncRunEventRepository,
    private readonly registry: ScheduleRegistry,
    // This process's own dispatcher: woken directly, coalescing a burst of ticks into one pass.
    private readonly dispatcher: Dispatcher,
    private readonly metrics: RunMetrics,
  ) {}

  async handleTick(tick: ResyncTickJob, dueAt: Date): Promise<void> {
    const result = await this.queue.recordTick(tick.orgId, tick.installationId, dueAt);
    this.metrics.tick(result.outcome);
    switch (result.outcome) {
      case 'created':
        this.dispatcher.wake();
        return;
      case 'skipped':
        // Straight to the run's event log: a due time and ids hold no secret to scrub.
        await this.events.appendEvents(tick.orgId, result.activeRunId, [
          {
            level: 'warn',
            type: 'run.due_time_skipped',
            message: `the schedule's due time ${dueAt.toISOString()} was skipped: this run was still active`,
            details: { dueAt: dueAt.toISOString(), skippedRunId: result.runId },
          },
        ]);
        this.logger.log(
          `skipped the run of installation ${tick.installationId} due ${dueAt.toISOString()}: run ${result.activeRunId} is still active`,
        );
        return;
      case 'not_found':
      case 'not_syncable':
        await this.registry.unregister(tick.installationId);
        return;
      case 'duplicate':
        return;
    }
  }
}
