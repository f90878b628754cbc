import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, type ReadinessCheck } from '@mooring/platform';

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

const BOOT_TIMEOUT_MS = 10_000;
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

export interface QueueOptions {
  readonly redisUrl: string;
  /** Namespace of every key, so deployments and test runs can share one Redis. */
  readonly keyPrefix: string;
}

/**
 * The process's shared Redis connection. BullMQ requires `maxmemory-policy noeviction`: with any
 * other policy Redis may silently drop queued jobs under memory pressure, so we refuse to start.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'redis';
  readonly client: Redis;

  constructor(@Inject(QUEUE_OPTIONS) readonly options: QueueOptions) {
    // maxRetriesPerRequest: null lets BullMQ's blocking commands wait out a reconnect.
    this.client = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.client.on('error', () => {
      // Reconnection is automatic; readiness reports the outage.
    });
  }

  async onModuleInit(): Promise<void> {
    // BullMQ's first command may already have started connecting this lazy client.
    if (this.client.status === 'wait') await this.client.connect();
    const info = await withTimeout(this.client.info('memory'), BOOT_TIMEOUT_MS, 'REDIS_URL: Redis did not answer at boot');
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    if (policy && policy !== 'noeviction') {
      throw new DomainError(
        'CONFIG_INVALID',
        `REDIS_URL: Redis maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be evicted`,
      );
    }
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
