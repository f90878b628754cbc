import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RunQueueRepository, SyncRunRepository, notReconciled } from '@mooring/persistence';
import { DispatchSignal, SyncRunQueue } from '@mooring/queue';
import { DISPATCH_OPTIONS, type DispatchOptions } from './runs.config.js';

/**
 * Admits waiting runs into the workers' queue, fairly across organizations (the rules live in one
 * SQL function: per-organization caps, organizations taking turns, a shallow queue). Runs when
 * woken (a run was asked for) and on a short poll (a run ended and freed a slot); every scheduler
 * replica runs one, and they take turns on an advisory lock.
 */
@Injectable()
export class Dispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('Dispatcher');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastRequeue = Date.now();

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly ledger: SyncRunRepository,
    private readonly runs: SyncRunQueue,
    private readonly signal: DispatchSignal,
    @Inject(DISPATCH_OPTIONS) private readonly options: DispatchOptions,
  ) {}

  async start(): Promise<void> {
    await this.signal.subscribe(() => this.wake());
    this.schedulePoll();
    this.wake();
  }

  /** Dispatches now, or right after the pass in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error(`dispatch failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One pass: admit until nothing more fits, and now and then enqueue again runs whose job was lost. */
  async pass(): Promise<number> {
    let admitted = 0;
    for (;;) {
      const claimed = await this.queue.claimForDispatch(this.options.queueTarget);
      if (!claimed.length) break;
      await this.runs.enqueue(claimed);
      admitted += claimed.length;
    }
    if (Date.now() - this.lastRequeue >= this.options.requeueAfterSeconds * 1000) {
      this.lastRequeue = Date.now();
      await this.sweep();
    }
    return admitted;
  }

  /**
   * Admitted runs no worker started are enqueued again (their job may have been lost between the
   * claim and the enqueue). Running runs whose job is gone (BullMQ failed it after its worker died
   * more often than it recovers stalled jobs) are ended, so the installation can run again.
   */
  async sweep(): Promise<{ requeued: number; ended: number }> {
    const olderThanMs = this.options.requeueAfterSeconds * 1000;
    const waiting = await this.queue.dispatchedNotStarted(olderThanMs);
    for (const run of waiting) await this.runs.requeue(run);
    let ended = 0;
    for (const run of await this.queue.runningUnheld(olderThanMs)) {
      if (await this.runs.hasLiveJob(run.runId)) continue;
      const finished = await this.ledger.finish(run.orgId, run.runId, {
        status: 'failed',
        errorCode: 'INTERNAL',
        errorMessage: 'the run stopped without finishing: its worker was lost more often than the run could be recovered',
        reconciliation: notReconciled('the run did not finish'),
      });
      if (finished) {
        ended++;
        this.logger.warn(`ended run ${run.runId} of installation ${run.installationId}: its job is gone`);
      }
    }
    return { requeued: waiting.length, ended };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedulePoll(): void {
    this.timer = setTimeout(() => {
      this.wake();
      if (!this.stopped) this.schedulePoll();
    }, this.options.pollMs);
    this.timer.unref();
  }
}
