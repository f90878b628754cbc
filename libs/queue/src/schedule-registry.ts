import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { intervalOffsetMs, type Schedule } from '@mooring/scheduling';
import { QUEUE_NAMES, installationOfScheduler, schedulerId, type ResyncTickJob } from './jobs.js';
import { RedisConnection, withoutConnectionNoise } from './redis-connection.js';

export interface RegisteredSchedule {
  readonly installationId: string;
  readonly nextRunAt: Date | null;
}

/**
 * Keeps one BullMQ job scheduler per installation. BullMQ produces a tick job at each due time, with
 * an id derived from the scheduler and the due time, so several scheduler replicas registering the
 * same schedule never produce the same tick twice.
 */
@Injectable()
export class ScheduleRegistry implements OnModuleDestroy {
  private readonly ticks: Queue<ResyncTickJob>;
  /** Set once the registered schedules match PostgreSQL; gone when Redis lost its data. */
  private readonly reconciledKey: string;

  constructor(private readonly redis: RedisConnection) {
    this.reconciledKey = `${redis.options.keyPrefix}:schedules:reconciled`;
    this.ticks = withoutConnectionNoise(
      new Queue<ResyncTickJob>(QUEUE_NAMES.resyncTicks, {
        connection: redis.client,
        prefix: redis.options.keyPrefix,
        defaultJobOptions: { removeOnComplete: 1_000, removeOnFail: 5_000 },
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.ticks.close();
  }

  async register(tick: ResyncTickJob, schedule: Schedule): Promise<void> {
    const repeat =
      schedule.type === 'interval'
        ? { every: schedule.everySeconds * 1000, offset: intervalOffsetMs(tick.installationId, schedule.everySeconds * 1000) }
        : { pattern: schedule.expression, tz: schedule.timezone };
    await this.ticks.upsertJobScheduler(schedulerId(tick.installationId), repeat, {
      name: 'resync-tick',
      data: { orgId: tick.orgId, installationId: tick.installationId },
    });
  }

  async unregister(installationId: string): Promise<void> {
    await this.ticks.removeJobScheduler(schedulerId(installationId));
  }

  /** Records that every schedule was registered from PostgreSQL (see `reconciled`). */
  async markReconciled(): Promise<void> {
    await this.redis.client.set(this.reconciledKey, new Date().toISOString());
  }

  /**
   * Whether the schedules were registered from PostgreSQL since Redis last lost its data: false
   * after Redis restarted empty (or was flushed), when every job scheduler is gone with the mark.
   */
  async reconciled(): Promise<boolean> {
    return (await this.redis.client.exists(this.reconciledKey)) === 1;
  }

  /** Calls `listener` each time the connection to Redis is ready again after a loss. */
  onReconnect(listener: () => void): () => void {
    let connected = this.redis.client.status === 'ready';
    const ready = () => {
      if (connected) listener();
      connected = true;
    };
    this.redis.client.on('ready', ready);
    return () => this.redis.client.removeListener('ready', ready);
  }

  /** The instant BullMQ will next produce a tick, or null when nothing is registered. */
  async nextRunAt(installationId: string): Promise<Date | null> {
    const scheduler = await this.ticks.getJobScheduler(schedulerId(installationId));
    return scheduler?.next ? new Date(scheduler.next) : null;
  }

  /** The installations with a registered schedule, read in pages. */
  async registeredInstallations(): Promise<string[]> {
    const ids: string[] = [];
    const page = 1_000;
    for (let start = 0; ; start += page) {
      const schedulers = await this.ticks.getJobSchedulers(start, start + page - 1, true);
      for (const scheduler of schedulers) {
        const id = installationOfScheduler(scheduler.key);
        if (id) ids.push(id);
      }
      if (schedulers.length < page) return ids;
    }
  }

  async count(): Promise<number> {
    return this.ticks.getJobSchedulersCount();
  }
}
