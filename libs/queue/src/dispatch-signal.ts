import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { QUEUE_OPTIONS, RedisConnection, type QueueOptions } from './redis-connection.js';

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

  async notify(): Promise<void> {
    await this.redis.client.publish(this.channel, '1');
  }

  async subscribe(onSignal: () => void): Promise<void> {
    this.subscriber ??= this.redis.client.duplicate();
    this.subscriber.on('message', onSignal);
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
