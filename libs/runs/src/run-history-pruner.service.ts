import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RunQueueRepository, SyncRunRetentionRepository } from '@mooring/persistence';

const PAGE = 500;
const EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps run history bounded: every hour each organization's ended runs beyond the retention
 * (older than 30 days and beyond an installation's newest 1,000) are deleted, with their
 * resources and events. Replicas may overlap: deleting what is already gone is harmless.
 */
@Injectable()
export class RunHistoryPruner implements OnModuleDestroy {
  private readonly logger = new Logger('RunHistory');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly retention: SyncRunRetentionRepository,
  ) {}

  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => {
        this.prune()
          .catch((error: unknown) => this.logger.error(`pruning run history failed: ${String(error)}`))
          .finally(loop);
      }, EVERY_MS);
      this.timer.unref();
    };
    loop();
  }

  async prune(): Promise<number> {
    let deleted = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.queue.organizationIds(after, PAGE);
      for (const orgId of page) deleted += await this.retention.prune(orgId);
      if (page.length < PAGE) break;
      after = page.at(-1)!;
    }
    if (deleted) this.logger.log(`pruned ${deleted} runs beyond the retention`);
    return deleted;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }
}
