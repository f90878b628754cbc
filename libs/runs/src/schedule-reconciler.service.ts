import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RunQueueRepository } from '@mooring/persistence';
import { ScheduleRegistry } from '@mooring/queue';
import { DISPATCH_OPTIONS, type DispatchOptions } from './runs.config.js';

const PAGE = 1_000;
/** Even with the mark in place (Redis restored from an older snapshot keeps it), all is checked hourly. */
const FULL_EVERY_MS = 60 * 60 * 1000;

/**
 * Every installation that should sync has its schedule registered, and no schedule is left for one
 * that is gone. PostgreSQL is the truth; Redis may have been flushed, restarted without its data or
 * restored from an older snapshot. Reconciled at a scheduler's boot, again whenever the mark set by
 * the last reconciliation is missing from Redis (checked every SCHEDULE_CHECK_SECONDS and on every
 * reconnect), and hourly. Safe on several replicas at once (registration is an upsert).
 */
@Injectable()
export class ScheduleReconciler implements OnModuleDestroy {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private stopWatching: (() => void) | undefined;
  private checking: Promise<void> | undefined;
  private lastFull = Date.now();

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly registry: ScheduleRegistry,
    @Inject(DISPATCH_OPTIONS) private readonly options: DispatchOptions,
  ) {}

  async reconcile(): Promise<{ registered: number; removed: number }> {
    // Taken first, so an installation registered while this runs is never removed as unknown.
    const registered = await this.registry.registeredInstallations();
    const wanted = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = await this.queue.schedulable(after, PAGE);
      await Promise.all(
        page.map((installation) =>
          this.registry.register({ orgId: installation.orgId, installationId: installation.id }, installation.schedule),
        ),
      );
      for (const installation of page) wanted.add(installation.id);
      if (page.length < PAGE) break;
      after = page.at(-1)!.id;
    }
    let removed = 0;
    for (const installationId of registered) {
      if (wanted.has(installationId)) continue;
      await this.registry.unregister(installationId);
      removed++;
    }
    await this.registry.markReconciled();
    this.lastFull = Date.now();
    this.logger.log(`schedules reconciled: ${wanted.size} registered, ${removed} removed`);
    return { registered: wanted.size, removed };
  }

  /** Keeps checking that Redis still holds the schedules, rebuilding them when it lost them. */
  watch(): void {
    this.stopWatching = this.registry.onReconnect(() => void this.check());
    const loop = () => {
      this.timer = setTimeout(() => void this.check().finally(loop), this.options.scheduleCheckSeconds * 1000);
      this.timer.unref();
    };
    loop();
  }

  /** One check (never two at once): reconcile when the mark is gone, or an hour has passed. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.stopWatching?.();
  }

  private async checkOnce(): Promise<void> {
    try {
      const lost = !(await this.registry.reconciled());
      if (!lost && Date.now() - this.lastFull < FULL_EVERY_MS) return;
      if (lost) this.logger.warn('Redis no longer holds the schedules (restarted without its data?): registering them again');
      await this.reconcile();
    } catch (error) {
      // Redis or PostgreSQL away: the next check tries again.
      this.logger.warn(`schedule check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
