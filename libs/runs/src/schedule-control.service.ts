import { Injectable } from '@nestjs/common';
import type { ScheduleControl } from '@mooring/installations';
import { InstallationRepository } from '@mooring/persistence';
import { REQUEST_TIMEOUT_MS, ScheduleRegistry, withTimeout } from '@mooring/queue';

/**
 * Keeps an installation's BullMQ job scheduler in step with it: registered (with its current
 * schedule) while it is enabled and its credentials work, removed otherwise. Idempotent, so every
 * replica and every boot can apply it. Each change waits at most REQUEST_TIMEOUT_MS (the api makes
 * them while answering); one that times out during a Redis outage still runs once Redis is back.
 */
@Injectable()
export class ScheduleControlService implements ScheduleControl {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly registry: ScheduleRegistry,
  ) {}

  async pause(_orgId: string, installationId: string): Promise<void> {
    await bounded(this.registry.unregister(installationId));
  }

  /** Registers the installation's current schedule (a changed schedule replaces the old one). */
  async resume(orgId: string, installationId: string): Promise<void> {
    const installation = await this.installations.find(orgId, installationId);
    if (!installation || !installation.enabled || installation.state !== 'active') {
      await bounded(this.registry.unregister(installationId));
      return;
    }
    await bounded(this.registry.register({ orgId, installationId }, installation.schedule));
  }

  async remove(_orgId: string, installationId: string): Promise<void> {
    await bounded(this.registry.unregister(installationId));
  }
}

function bounded(change: Promise<void>): Promise<void> {
  return withTimeout(change, REQUEST_TIMEOUT_MS, 'The schedule store (Redis) did not answer; retry shortly');
}
