import { Injectable, Logger } from '@nestjs/common';
import { RunQueueRepository } from '@mooring/persistence';
import { ScheduleRegistry } from '@mooring/queue';

const PAGE = 1_000;

/**
 * At a scheduler's boot: every installation that should sync has its schedule registered, and no
 * schedule is left for one that is gone. PostgreSQL is the truth; Redis may have been flushed or
 * restored from an older snapshot. Safe on several replicas at once (registration is an upsert).
 */
@Injectable()
export class ScheduleReconciler {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly registry: ScheduleRegistry,
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
    this.logger.log(`schedules reconciled: ${wanted.size} registered, ${removed} removed`);
    return { registered: wanted.size, removed };
  }
}
