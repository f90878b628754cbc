import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { QUEUE_OPTIONS, REQUEST_TIMEOUT_MS, RedisConnection, withTimeout, type QueueOptions } from './redis-connection.js';

/**
 * Wakes the dispatcher when there is work: a run was asked for or one ended and freed a slot. The
 * dispatcher also polls, so a lost message only delays a run by one poll interval.
 */
@Injectable()
export class DispatchSignal implements OnApplicationShutdown {
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(QUEUE_OPTIONS) options: QueueOptions,
  ) {
    this.channel = `${options.keyPrefix}:dispatch`;
  }

  /** Within REQUEST_TIMEOUT_MS, or DEPENDENCY_UNAVAILABLE: callers on a request path must not hang. */
  async notify(): Promise<void> {
    await withTimeout(this.redis.client.publish(this.channel, '1'), REQUEST_TIMEOUT_MS, 'Could not wake the dispatcher');
  }

  async subscribe(onSignal: () => void): Promise<void> {
    // ioredis subscribes again after a reconnect; until then the dispatcher's poll covers.
    this.subscriber ??= this.redis.client.duplicate().on('error', () => {});
    this.subscriber.on('message', onSignal);
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
