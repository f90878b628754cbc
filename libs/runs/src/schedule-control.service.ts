import { Injectable } from '@nestjs/common';
import type { ScheduleControl } from '@mooring/installations';
import { InstallationRepository } from '@mooring/persistence';
import { ScheduleRegistry } from '@mooring/queue';

/**
 * Keeps an installation's BullMQ job scheduler in step with it: registered (with its current
 * schedule) while it is enabled and its credentials work, removed otherwise. Idempotent, so every
 * replica and every boot can apply it.
 */
@Injectable()
export class ScheduleControlService implements ScheduleControl {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly registry: ScheduleRegistry,
  ) {}

  async pause(_orgId: string, installationId: string): Promise<void> {
    await this.registry.unregister(installationId);
  }

  /** Registers the installation's current schedule (a changed schedule replaces the old one). */
  async resume(orgId: string, installationId: string): Promise<void> {
    const installation = await this.installations.find(orgId, installationId);
    if (!installation || !installation.enabled || installation.state !== 'active') {
      await this.registry.unregister(installationId);
      return;
    }
    await this.registry.register({ orgId, installationId }, installation.schedule);
  }

  async remove(_orgId: string, installationId: string): Promise<void> {
    await this.registry.unregister(installationId);
  }
}
