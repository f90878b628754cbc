import { Injectable, Logger } from '@nestjs/common';
import type { ResyncReason, ResyncTrigger } from '@mooring/installations';
import { RunQueueRepository, type RunTrigger } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';
import { DispatchSignal, RedisConnection } from '@mooring/queue';

/**
 * Asks for sync runs: a user's resync (`POST /v1/installations/:id/resync`) and the resyncs an
 * installation's changes need (installed, new mapping, new credentials). Runs wait in PostgreSQL
 * until the dispatcher admits them; the dispatcher is woken so that happens at once.
 */
@Injectable()
export class RunRequests implements ResyncTrigger {
  private readonly logger = new Logger('RunRequests');

  constructor(
    private readonly queue: RunQueueRepository,
    private readonly dispatch: DispatchSignal,
    private readonly redis: RedisConnection,
  ) {}

  /**
   * A user's resync: the new run's id, or RUN_ACTIVE naming the run already active. With
   * `acceptFetchDrop` the run may delete despite the installation's maxFetchDrop (in the audit entry).
   */
  async resync(orgId: string, installationId: string, options: { acceptFetchDrop?: boolean } = {}): Promise<{ runId: string }> {
    const acceptFetchDrop = options.acceptFetchDrop ?? false;
    // A run asked for while the queue is down would wait unseen: the caller is told to come back
    // (503 with Retry-After) and nothing is written.
    await this.redis.assertAvailable();
    const request = await this.queue.request(
      orgId,
      installationId,
      'manual',
      {
        action: 'installation.resync_requested',
        targetType: 'installation',
        targetId: installationId,
        ...(acceptFetchDrop ? { details: { acceptFetchDrop } } : {}),
      },
      { acceptFetchDrop },
    );
    switch (request.outcome) {
      case 'created':
        await this.wakeDispatcher();
        return { runId: request.runId };
      case 'active':
        throw new DomainError('RUN_ACTIVE', `A sync run of this installation is active: ${request.runId}`, {
          runId: request.runId,
        });
      case 'not_syncable':
        if (!request.enabled) {
          throw new DomainError('INSTALLATION_DISABLED', 'The installation is disabled: enable it before resyncing', {
            installationId,
          });
        }
        throw new DomainError('REAUTH_REQUIRED', `The installation needs new credentials (state ${request.state})`, {
          installationId,
          state: request.state,
        });
      case 'not_found':
        throw new DomainError('NOT_FOUND', `Installation ${installationId} was not found`, {
          resource: 'installation',
          id: installationId,
        });
    }
  }

  /**
   * A resync after a change. With a run already active, that run gets a follow-up instead: it may
   * have read the installation before the change, so another run starts when it ends.
   */
  async requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void> {
    const trigger: RunTrigger = reason === 'installed' ? 'installed' : reason;
    const request = await this.queue.request(orgId, installationId, trigger);
    if (request.outcome === 'active' && reason !== 'installed') {
      await this.queue.requestFollowUp(orgId, installationId, trigger);
    }
    if (request.outcome === 'created') await this.wakeDispatcher();
  }

  private async wakeDispatcher(): Promise<void> {
    // The dispatcher polls too: a lost wake-up only delays the run by one poll.
    await this.dispatch.notify().catch((error: unknown) => this.logger.warn(`could not wake the dispatcher: ${String(error)}`));
  }
}
