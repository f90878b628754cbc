import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DomainError, type ReadinessCheck } from '@mooring/platform';

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

const BOOT_TIMEOUT_MS = 10_000;
const DEFAULT_BOOT_WAIT_SECONDS = 60;
/** A booting process says it is waiting for Redis after the first attempt, then once per window. */
const FIRST_ATTEMPT_MS = 1_000;
const BOOT_WAIT_NOTICE_MS = 10_000;
/**
 * How long a request-path call waits for Redis. Commands wait out a reconnect (BullMQ needs that),
 * so without a bound a call made during an outage would hang until Redis came back.
 */
export const REQUEST_TIMEOUT_MS = 2_000;
/** What a caller turned away during an outage is told to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Rejects with DEPENDENCY_UNAVAILABLE (the api's 503 with Retry-After) when `promise` takes longer
 * than `ms`. The command itself stays queued and runs once Redis is back.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DomainError('DEPENDENCY_UNAVAILABLE', message, { retryAfterSeconds: RETRY_AFTER_SECONDS })),
      ms,
    );
  });
  promise.catch(() => {}); // a late rejection, after the timeout won, is not unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Quiets the connection errors BullMQ re-emits on each queue sharing the process's client (with no
 * listener it prints each one with its stack): the boot wait and readiness report an outage.
 */
export function withoutConnectionNoise<T extends Queue>(queue: T): T {
  queue.on('error', () => {});
  return queue;
}

export interface QueueOptions {
  readonly redisUrl: string;
  /** Namespace of every key, so deployments and test runs can share one Redis. */
  readonly keyPrefix: string;
  /** How long a booting process waits for an unreachable Redis; 60 s unless set. */
  readonly bootWaitSeconds?: number;
}

/**
 * The process's shared Redis connection. BullMQ requires `maxmemory-policy noeviction`: with any
 * other policy Redis may silently drop queued jobs under memory pressure, so we refuse to start.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'redis';
  readonly client: Redis;
  /** The last connection error's code (ECONNREFUSED, ENOTFOUND…): the boot wait names it. */
  private lastErrorCode = 'no answer';

  constructor(@Inject(QUEUE_OPTIONS) readonly options: QueueOptions) {
    // maxRetriesPerRequest: null lets BullMQ's blocking commands wait out a reconnect. Connecting at
    // once (not lazily) matters: a queue built on a client that has not started connecting calls
    // connect() itself, and BullMQ keeps that first attempt's failure for good when Redis is not up yet.
    this.client = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.client.on('error', (error: Error & { code?: unknown }) => {
      // Reconnection is automatic; readiness reports the outage.
      this.lastErrorCode = typeof error.code === 'string' ? error.code : error.message;
    });
  }

  /** Where Redis is, for messages: host and port only, never the URL's credentials. */
  get address(): string {
    return `${this.client.options.host ?? '127.0.0.1'}:${this.client.options.port ?? 6379}`;
  }

  async onModuleInit(): Promise<void> {
    await this.waitUntilReachable();
    const info = await withTimeout(this.client.info('memory'), BOOT_TIMEOUT_MS, 'REDIS_URL: Redis did not answer at boot');
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    if (policy && policy !== 'noeviction') {
      throw new DomainError(
        'CONFIG_INVALID',
        `REDIS_URL: Redis maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be evicted`,
      );
    }
  }

  /**
   * Waits out a Redis that is not up yet (a restart, a stack booting in any order) while ioredis
   * reconnects, saying so once per notice window; still unreachable after the boot wait, fails with
   * DEPENDENCY_UNAVAILABLE (one line in the log, no stack: the cause is the outage, not our code).
   */
  private async waitUntilReachable(): Promise<void> {
    const waitSeconds = this.options.bootWaitSeconds ?? DEFAULT_BOOT_WAIT_SECONDS;
    const deadline = Date.now() + waitSeconds * 1000;
    const logger = new Logger('Redis');
    for (let windowMs = FIRST_ATTEMPT_MS; !(await this.readyWithin(Math.min(windowMs, deadline - Date.now())));) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.client.disconnect();
        throw new DomainError(
          'DEPENDENCY_UNAVAILABLE',
          `Redis at ${this.address} was not reachable within ${waitSeconds} s (${this.lastErrorCode}): check that it is running and that REDIS_URL names its host and port`,
        );
      }
      logger.warn(`Redis at ${this.address} not reachable yet (${this.lastErrorCode}); retrying for ${Math.ceil(left / 1000)} s`);
      windowMs = BOOT_WAIT_NOTICE_MS;
    }
  }

  /** Whether the client is ready, or becomes ready within `ms` (ioredis reconnects meanwhile). */
  private readyWithin(ms: number): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const ready = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(
        () => {
          this.client.removeListener('ready', ready);
          resolve(this.client.status === 'ready');
        },
        Math.max(ms, 0),
      );
      this.client.once('ready', ready);
    });
  }

  /** Last, after queues and consumers closed in onModuleDestroy. */
  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  async check(): Promise<void> {
    await this.client.ping();
  }

  /**
   * Fails at once with DEPENDENCY_UNAVAILABLE while the connection is down, and within
   * REQUEST_TIMEOUT_MS when Redis does not answer: for calls that must not accept work the queue
   * cannot take.
   */
  async assertAvailable(): Promise<void> {
    const unavailable = 'The queue (Redis) is unavailable; retry shortly';
    if (this.client.status !== 'ready') {
      throw new DomainError('DEPENDENCY_UNAVAILABLE', unavailable, { retryAfterSeconds: RETRY_AFTER_SECONDS });
    }
    await withTimeout(this.client.ping(), REQUEST_TIMEOUT_MS, unavailable);
  }
}
