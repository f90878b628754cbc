import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUE_NAMES, type LiveEventJob, type LiveEventJobName } from './jobs.js';
import {
  QUEUE_OPTIONS,
  REQUEST_TIMEOUT_MS,
  RedisConnection,
  withTimeout,
  withoutConnectionNoise,
  type QueueOptions,
} from './redis-connection.js';

/**
 * The live-events queue. A job names an installation only: what to apply is in PostgreSQL, so a
 * job lost with Redis loses nothing (workers look for deliveries left waiting). Every accepted
 * delivery adds an `apply` job of its own; whichever worker holds the installation's lock applies
 * every pending delivery in order, and the others end at once.
 */
@Injectable()
export class LiveEventQueue implements OnModuleDestroy {
  readonly queue: Queue<LiveEventJob, void, LiveEventJobName>;

  constructor(redis: RedisConnection, @Inject(QUEUE_OPTIONS) options: QueueOptions) {
    this.queue = withoutConnectionNoise(
      new Queue<LiveEventJob, void, LiveEventJobName>(QUEUE_NAMES.liveEvents, {
        connection: redis.client,
        prefix: options.keyPrefix,
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }

  /** Bounded: the caller has persisted what the job is about, so a slow Redis only delays it. */
  async add(name: LiveEventJobName, job: LiveEventJob, options: { jobId?: string; delayMs?: number } = {}): Promise<void> {
    await withTimeout(
      this.queue.add(
        name,
        { orgId: job.orgId, installationId: job.installationId },
        {
          jobId: options.jobId ?? `${name}-${job.installationId}-${randomUUID()}`,
          ...(options.delayMs ? { delay: options.delayMs } : {}),
          attempts: name === 'apply' ? 3 : 5,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600, count: 1_000 },
        },
      ),
      REQUEST_TIMEOUT_MS,
      'Redis did not take the live-event job in time',
    );
  }
}
