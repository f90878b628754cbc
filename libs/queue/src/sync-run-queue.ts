import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, syncRunJobId, type SyncRunJob } from './jobs.js';
import { QUEUE_OPTIONS, RedisConnection, withoutConnectionNoise, type QueueOptions } from './redis-connection.js';

export interface SyncRunQueueOptions {
  /** Attempts a run's job gets (stalls are recovered without using one). */
  readonly attempts: number;
}
export const SYNC_RUN_QUEUE_OPTIONS = Symbol('SYNC_RUN_QUEUE_OPTIONS');

/**
 * The queue of admitted runs, fed only by the dispatcher. One job per run (its id derived from the
 * run's), so enqueueing a run twice is a no-op while its job exists. Retries back off through the
 * worker's strategy, which honours a tool's Retry-After.
 */
@Injectable()
export class SyncRunQueue implements OnModuleDestroy {
  readonly queue: Queue<SyncRunJob>;

  constructor(
    redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) options: QueueOptions,
    @Inject(SYNC_RUN_QUEUE_OPTIONS) private readonly runOptions: SyncRunQueueOptions,
  ) {
    this.queue = withoutConnectionNoise(
      new Queue<SyncRunJob>(QUEUE_NAMES.syncRuns, { connection: redis.client, prefix: options.keyPrefix }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }

  async enqueue(runs: readonly SyncRunJob[]): Promise<void> {
    if (!runs.length) return;
    await this.queue.addBulk(
      runs.map((run) => ({
        name: 'sync-run',
        data: { orgId: run.orgId, installationId: run.installationId, runId: run.runId },
        opts: {
          jobId: syncRunJobId(run.runId),
          attempts: this.runOptions.attempts,
          backoff: { type: 'run-retry' },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /**
   * Enqueues again a run whose job may be gone (lost between claim and enqueue, or removed): a job
   * still waiting, delayed or active is left alone; a finished one is replaced.
   */
  async requeue(run: SyncRunJob): Promise<void> {
    const existing = await this.queue.getJob(syncRunJobId(run.runId));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      await existing.remove();
    }
    await this.enqueue([run]);
  }

  /** Whether a worker still has (or will have) the run's job: waiting, delayed, active or retrying. */
  async hasLiveJob(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(syncRunJobId(runId));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Jobs by state, for the queue-depth metric. */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }
}
