import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CredentialStore, IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { InstallationRepository, LiveEventRepository, type InstallationRecord } from '@mooring/persistence';
import { LiveEventQueue, type LiveEventHandler, type LiveEventJob, type LiveEventJobName } from '@mooring/queue';
import { HookRegistrations } from './hook-registrations.service.js';
import { LiveEventApplier } from './live-event-applier.js';

/** Deliveries accepted this long ago and still pending are looked for by the sweep (a lost job, a dead worker). */
const WAITING_AFTER_MS = 10_000;
const SWEEP_EVERY_MS = 10_000;
/** Registrations expiring within this are renewed. */
const RENEW_BEFORE_MS = 3 * 86_400_000;
const RENEW_CHECK_EVERY_MS = 3_600_000;
/** The log keeps a week and at most this many entries per installation; counts two days. */
const LOG_KEEP = 5_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The worker's side of live events: applies deliveries and registers webhooks (queue jobs), sweeps
 * for deliveries left waiting (their job lost with Redis, or their worker killed before the job
 * was recovered), renews registrations before they expire, and keeps the log bounded.
 */
@Injectable()
export class LiveEventWorker implements LiveEventHandler, OnModuleDestroy {
  private readonly logger = new Logger('LiveEvents');
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pruned = new Map<string, number>();

  constructor(
    private readonly applier: LiveEventApplier,
    private readonly registrations: HookRegistrations,
    private readonly installations: InstallationRepository,
    private readonly connections: IntegrationConnections,
    private readonly events: LiveEventRepository,
    private readonly queue: LiveEventQueue,
    private readonly credentials: CredentialStore,
    private readonly integrations: IntegrationRegistry,
  ) {}

  /** The sweep and the renewals (the queue's consumer, LiveEventConsumer, is started beside it). */
  start(): void {
    this.every(SWEEP_EVERY_MS, () => this.sweep());
    this.every(RENEW_CHECK_EVERY_MS, () => this.renewExpiring());
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  async handleLiveEvent(name: LiveEventJobName, job: LiveEventJob, shutdown: AbortSignal): Promise<void> {
    const { orgId, installationId } = job;
    if (name === 'apply') {
      await this.applier.drain(orgId, installationId, shutdown);
      await this.pruneNow(orgId, installationId);
      return;
    }
    const installation = await this.installations.find(orgId, installationId);
    if (!installation) return;
    const connection = await this.connections.forInstallation(orgId, installationId, shutdown);
    const clientSecret = await this.ownOAuthClientSecret(installation);
    if (name === 'register') {
      await this.registrations.register(orgId, installationId, installation.integrationId, connection, clientSecret);
    } else await this.registrations.renew(orgId, installationId, installation.integrationId, connection, clientSecret);
  }

  /**
   * For a tool that signs an OAuth installation's deliveries with the OAuth client's secret (Jira):
   * the organization's own client secret the installation connected with, or null for the platform's.
   */
  async ownOAuthClientSecret(installation: InstallationRecord): Promise<string | null> {
    const live = this.integrations.find(installation.integrationId)?.liveEvents;
    if (!live?.signedWithOAuthClient || installation.authMethod !== 'oauth2') return null;
    const read = await this.credentials.read(installation.orgId, installation.id);
    return read?.payload.kind === 'oauth2' ? (read.payload.client?.clientSecret ?? null) : null;
  }

  /** Queues an apply job for every installation with deliveries waiting longer than they should. */
  async sweep(now = Date.now()): Promise<number> {
    const waiting = await this.events.waiting(new Date(now - WAITING_AFTER_MS));
    for (const installation of waiting) {
      await this.queue.add('apply', installation, { jobId: `sweep-${installation.installationId}` });
    }
    return waiting.length;
  }

  /** Queues a renewal for registrations that expire soon. */
  async renewExpiring(now = Date.now()): Promise<number> {
    const expiring = await this.events.expiring(new Date(now + RENEW_BEFORE_MS));
    for (const installation of expiring) {
      await this.queue.add('renew', installation, { jobId: `renew-${installation.installationId}` });
    }
    return expiring.length;
  }

  private async pruneNow(orgId: string, installationId: string): Promise<void> {
    const now = Date.now();
    if ((this.pruned.get(installationId) ?? 0) > now - PRUNE_EVERY_MS) return;
    this.pruned.set(installationId, now);
    if (this.pruned.size > 10_000) this.pruned.clear();
    await this.events.prune(orgId, installationId, {
      olderThan: new Date(now - 7 * 86_400_000),
      keep: LOG_KEEP,
      countsOlderThan: new Date(now - 2 * 86_400_000),
    });
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error: Error) => this.logger.warn(`live-events background task failed: ${error.message}`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
