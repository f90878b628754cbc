import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WaitingError, Worker, type Job } from 'bullmq';
import { QUEUE_NAMES, type LiveEventJob, type LiveEventJobName, type ResyncTickJob, type SyncRunJob } from './jobs.js';
import { QUEUE_OPTIONS, RedisConnection, type QueueOptions } from './redis-connection.js';

// The two job consumers. BullMQ stays in this library: the handlers that give the jobs meaning
// (libs/runs) see plain payloads, the attempt they are in, and a signal for shutdown.

export interface ResyncTickHandler {
  /** A schedule fired for the installation at `dueAt`. */
  handleTick(tick: ResyncTickJob, dueAt: Date): Promise<void>;
}
export const RESYNC_TICK_HANDLER = Symbol('RESYNC_TICK_HANDLER');

export interface RunAttempt {
  /** 1 for the first attempt; stalls recovered after a crash do not count. */
  readonly number: number;
  readonly maxAttempts: number;
  /** Aborted with the handler's interruption reason when the process shuts down. */
  readonly shutdown: AbortSignal;
}

/**
 * What became of a run's job: done; handed back (it stopped for the shutdown and resumes elsewhere,
 * without using an attempt); or to retry later with backoff (`cause` may say how long to wait).
 */
export type RunJobOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'handedBack' }
  | { readonly kind: 'retryLater'; readonly reason: string; readonly cause: unknown };

export interface SyncRunHandler {
  /** Runs the sync and says what becomes of its job; it throws only on a bug. */
  handleRun(run: SyncRunJob, attempt: RunAttempt): Promise<RunJobOutcome>;
  /** The reason the shutdown signal is aborted with. */
  shutdownReason(): unknown;
  /** How long to wait before retrying after `error` (e.g. honouring a Retry-After). */
  retryDelayMs(attemptsMade: number, error: unknown): number;
}
export const SYNC_RUN_HANDLER = Symbol('SYNC_RUN_HANDLER');

export interface LiveEventHandler {
  handleLiveEvent(name: LiveEventJobName, job: LiveEventJob, shutdown: AbortSignal): Promise<void>;
}
export const LIVE_EVENT_HANDLER = Symbol('LIVE_EVENT_HANDLER');

export interface ConsumerOptions {
  readonly concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is recovered after it. */
  readonly lockDurationMs: number;
}
export const TICK_CONSUMER_OPTIONS = Symbol('TICK_CONSUMER_OPTIONS');
export const SYNC_RUN_CONSUMER_OPTIONS = Symbol('SYNC_RUN_CONSUMER_OPTIONS');
export const LIVE_EVENT_CONSUMER_OPTIONS = Symbol('LIVE_EVENT_CONSUMER_OPTIONS');

function workerOptions(redis: RedisConnection, queue: QueueOptions, consumer: ConsumerOptions) {
  return {
    connection: redis.client,
    prefix: queue.keyPrefix,
    concurrency: consumer.concurrency,
    lockDuration: consumer.lockDurationMs,
    stalledInterval: consumer.lockDurationMs,
    // A job whose worker died this many times in a row fails instead of killing more workers.
    maxStalledCount: 3,
    autorun: false,
  };
}

/** Consumes schedule ticks (scheduler app). */
@Injectable()
export class ResyncTickConsumer implements OnModuleDestroy {
  private readonly logger = new Logger('ResyncTicks');
  private worker: Worker<ResyncTickJob> | undefined;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) private readonly queue: QueueOptions,
    @Inject(TICK_CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(RESYNC_TICK_HANDLER) private readonly handler: ResyncTickHandler,
  ) {}

  start(): void {
    this.worker = new Worker<ResyncTickJob>(
      QUEUE_NAMES.resyncTicks,
      async (job: Job<ResyncTickJob>) => {
        await this.handler.handleTick(job.data, dueAtOf(job));
      },
      workerOptions(this.redis, this.queue, this.options),
    );
    this.worker.on('error', (error) => this.logger.error(`tick consumer: ${error.message}`));
    void this.worker.run();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}

/** A run's job to try again after the backoff; `cause` is what the handler's retry delay reads. */
export class RunRetry extends Error {
  override readonly name = 'RunRetry';

  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** Consumes admitted runs (worker app). */
@Injectable()
export class SyncRunConsumer implements OnModuleDestroy {
  private readonly logger = new Logger('SyncRuns');
  private readonly shutdown = new AbortController();
  private worker: Worker<SyncRunJob> | undefined;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) private readonly queue: QueueOptions,
    @Inject(SYNC_RUN_CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(SYNC_RUN_HANDLER) private readonly handler: SyncRunHandler,
  ) {}

  start(): void {
    this.worker = new Worker<SyncRunJob>(
      QUEUE_NAMES.syncRuns,
      async (job: Job<SyncRunJob>, token?: string) => {
        const attempt = { number: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, shutdown: this.shutdown.signal };
        // The one place a run's outcome becomes BullMQ's: return, back to waiting, or a retry.
        const outcome = await this.handler.handleRun(job.data, attempt);
        switch (outcome.kind) {
          case 'done':
            return;
          case 'handedBack':
            // Back to the queue without using an attempt: another worker resumes the run.
            await job.moveToWait(token);
            throw new WaitingError();
          case 'retryLater':
            // BullMQ retries a job whose processor throws: after the backoff, while attempts remain.
            throw new RunRetry(outcome.reason, outcome.cause);
        }
      },
      {
        ...workerOptions(this.redis, this.queue, this.options),
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
            this.handler.retryDelayMs(attemptsMade, error),
        },
      },
    );
    this.worker.on('error', (error) => this.logger.error(`run consumer: ${error.message}`));
    void this.worker.run();
  }

  /** SIGTERM: running syncs stop at their next page boundary and go back to the queue. */
  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort(this.handler.shutdownReason());
    await this.worker?.close();
  }
}

/** Consumes live-event work (worker app): applying deliveries and registering webhooks. */
@Injectable()
export class LiveEventConsumer implements OnModuleDestroy {
  private readonly logger = new Logger('LiveEvents');
  private readonly shutdown = new AbortController();
  private worker: Worker<LiveEventJob, void, LiveEventJobName> | undefined;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) private readonly queue: QueueOptions,
    @Inject(LIVE_EVENT_CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(LIVE_EVENT_HANDLER) private readonly handler: LiveEventHandler,
  ) {}

  start(): void {
    this.worker = new Worker<LiveEventJob, void, LiveEventJobName>(
      QUEUE_NAMES.liveEvents,
      (job: Job<LiveEventJob, void, LiveEventJobName>) => this.handler.handleLiveEvent(job.name, job.data, this.shutdown.signal),
      workerOptions(this.redis, this.queue, this.options),
    );
    this.worker.on('error', (error) => this.logger.error(`live-event consumer: ${error.message}`));
    void this.worker.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    await this.worker?.close();
  }
}

/**
 * The schedule slot a scheduler's job was produced for. BullMQ names each such job after its slot
 * (`repeat:<scheduler>:<millis>`) and dedupes on that name; the job's timestamp plus delay is only
 * derived from it (against the clock reading of the call that produced it, the delay clamped at 0),
 * so it can fall off the schedule, where the one-run-per-due-time guard would not know the slot.
 */
export function dueAtOf(job: Pick<Job<ResyncTickJob>, 'id' | 'timestamp' | 'opts'>): Date {
  const slot = /^repeat:.+:(\d+)$/.exec(job.id ?? '')?.[1];
  if (slot !== undefined) return new Date(Number(slot));
  return new Date(job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0));
}
