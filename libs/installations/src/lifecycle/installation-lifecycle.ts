import { Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import {
  InstallationRepository,
  type AppliedTransition,
  type InstallationRecord,
  type StateTransition,
} from '@mooring/persistence';
import { REQUEST_TIMEOUT_MS, ScheduleRegistry, withTimeout } from '@mooring/queue';
import {
  ACCESS_WITHDRAWN,
  accessRestored,
  accessWithdrawn,
  credentialsRefused,
  credentialsUnreadable,
  isSchedulable,
} from './installation-states.js';

/**
 * The installation's lifecycle, bound in every process that changes installations (the api and the
 * workers): its state transitions (installation-states.ts) and what goes with each, in one place.
 * A transition is written with its audit entry in one transaction; then the schedule follows
 * (paused unless the installation is enabled and active, resumed otherwise) and the change is
 * announced (a log line and the `mooring_installation_state_changes` counter).
 *
 * Schedule changes follow a saved change. Should Redis be unreachable, the scheduler's schedule
 * check (at boot, on reconnect and every SCHEDULE_CHECK_SECONDS) and its ticks (which drop schedules
 * of installations that cannot sync) converge on PostgreSQL, so a failure is logged rather than
 * undoing the change.
 */
@Injectable()
export class InstallationLifecycle {
  private readonly logger = new Logger('InstallationLifecycle');
  private readonly changes = metrics.getMeter('mooring').createCounter('mooring_installation_state_changes', {
    description: 'Installation state transitions, by the state left and the state entered',
  });

  constructor(
    private readonly installations: InstallationRepository,
    private readonly schedules: ScheduleRegistry,
  ) {}

  /** The tool refused the stored credentials (e.g. a 401 during a run): needs_reauth, schedule paused. */
  async credentialsRefused(orgId: string, installationId: string, reason: string): Promise<void> {
    await this.apply(orgId, installationId, credentialsRefused(reason));
  }

  /** The stored credentials failed their integrity check: disabled, schedule paused. */
  async credentialsUnreadable(orgId: string, installationId: string, reason: string): Promise<void> {
    await this.apply(orgId, installationId, credentialsUnreadable(reason));
  }

  /** The tool withdrew the installation's access (a GitHub App suspended or uninstalled): needs_reauth, schedule paused. */
  async accessWithdrawn(orgId: string, installationId: string, reason: string): Promise<void> {
    await this.apply(orgId, installationId, accessWithdrawn(reason));
  }

  /** The tool restored access: active again, but only if withdrawn access is why it needed attention. */
  async accessRestored(orgId: string, installationId: string): Promise<void> {
    const installation = await this.installations.find(orgId, installationId);
    if (installation?.state !== 'needs_reauth' || !installation.stateReason?.startsWith(ACCESS_WITHDRAWN)) return;
    await this.apply(orgId, installationId, accessRestored());
  }

  /** What follows a transition written in another transaction (a token refresh under its lock, new credentials). */
  async transitioned(applied: AppliedTransition | null): Promise<void> {
    if (!applied) return;
    this.changes.add(1, { from: applied.from, to: applied.to, integration: applied.integrationId });
    const message = `installation ${applied.installationId} of organization ${applied.orgId}: ${applied.from} → ${applied.to}`;
    if (applied.to === 'active') this.logger.log(message);
    else this.logger.warn(`${message} (${applied.reason ?? 'no reason given'})`);
    await this.syncSchedule(applied.orgId, applied.installationId);
  }

  /** A new installation: its schedule starts. */
  async installed(installation: InstallationRecord): Promise<void> {
    await this.syncSchedule(installation.orgId, installation.id);
  }

  /** A saved change (enabled, schedule, credentials): the schedule follows when it must. */
  async changed(before: InstallationRecord, after: InstallationRecord, transition: AppliedTransition | null): Promise<void> {
    if (transition) return this.transitioned(transition);
    const scheduled = isSchedulable(after);
    const scheduleChanged = JSON.stringify(before.schedule) !== JSON.stringify(after.schedule);
    if (scheduled !== isSchedulable(before) || (scheduled && scheduleChanged)) await this.syncSchedule(after.orgId, after.id);
  }

  /** The installation is being deleted: its schedule goes first, so no tick finds it half gone. */
  async removing(orgId: string, installationId: string): Promise<void> {
    await this.scheduleChange('remove', installationId, () => this.schedules.unregister(installationId));
  }

  private async apply(orgId: string, installationId: string, transition: StateTransition): Promise<void> {
    await this.transitioned(await this.installations.transition(orgId, installationId, transition));
  }

  /** Registers the installation's current schedule when it should sync, removes it otherwise. Idempotent. */
  private async syncSchedule(orgId: string, installationId: string): Promise<void> {
    await this.scheduleChange('update', installationId, async () => {
      const installation = await this.installations.find(orgId, installationId);
      if (installation && isSchedulable(installation)) {
        await this.schedules.register({ orgId, installationId }, installation.schedule);
      } else {
        await this.schedules.unregister(installationId);
      }
    });
  }

  /** Waits at most REQUEST_TIMEOUT_MS (the api makes these while answering); a change Redis missed is caught up by the scheduler. */
  private async scheduleChange(action: string, installationId: string, change: () => Promise<void>): Promise<void> {
    try {
      await withTimeout(change(), REQUEST_TIMEOUT_MS, 'the schedule store (Redis) did not answer');
    } catch (error) {
      this.logger.error(
        `could not ${action} the schedule of installation ${installationId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
