import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError, type ReadinessCheck } from '@mooring/platform';

export const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

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
export class RedisConnection implements OnModuleInit, OnModuleDestroy, ReadinessCheck {
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
    await this.client.connect();
    const info = await this.client.info('memory');
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    if (policy && policy !== 'noeviction') {
      throw new DomainError(
        'CONFIG_INVALID',
        `REDIS_URL: Redis maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be evicted`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  async check(): Promise<void> {
    await this.client.ping();
  }
}
