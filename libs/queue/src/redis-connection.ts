import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, type ReadinessCheck } from '@mooring/platform';

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

const BOOT_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DomainError('DEPENDENCY_UNAVAILABLE', message)), ms);
  });
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
}
