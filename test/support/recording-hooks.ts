import type { Provider } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { BlueprintDefinition, IntegrationDefinition } from '@mooring/integrations';
import {
  BLUEPRINT_PROVISIONER,
  INSTALLATION_ENTITY_CLEANER,
  MAPPING_VALIDATOR,
  RESYNC_TRIGGER,
  SCHEDULE_CONTROL,
  type BlueprintProvisioner,
  type InstallationEntityCleaner,
  type MappingValidator,
  type ResyncReason,
  type ResyncTrigger,
  type ScheduleControl,
} from '@mooring/installations';
import { DomainError } from '@mooring/platform';
import type { TestRedis } from './test-redis.js';

/**
 * Implementations of the installation hooks for tests, standing where the catalog, libs/sync and
 * the scheduler plug in after the merge. Resync requests become real BullMQ jobs in the test's
 * Redis namespace, so tests can check what a job payload holds.
 */
export class RecordingHooks
  implements BlueprintProvisioner, MappingValidator, ResyncTrigger, ScheduleControl, InstallationEntityCleaner
{
  readonly blueprintCalls: Array<{ orgId: string; identifiers: string[] }> = [];
  readonly resyncs: Array<{ orgId: string; installationId: string; reason: ResyncReason }> = [];
  readonly scheduleCalls: Array<{ action: 'pause' | 'resume' | 'remove'; installationId: string }> = [];
  readonly entityDeletions: string[] = [];
  readonly queue: Queue;

  constructor(redis: TestRedis) {
    this.queue = new Queue('test-resyncs', { connection: { url: redis.url }, prefix: redis.keyPrefix });
  }

  ensureBlueprints(orgId: string, blueprints: readonly BlueprintDefinition[]): Promise<void> {
    this.blueprintCalls.push({ orgId, identifiers: blueprints.map((blueprint) => blueprint.identifier) });
    return Promise.resolve();
  }

  /** Stands in for libs/sync: a mapping needs a `resources` array. */
  validate(_integration: IntegrationDefinition, mapping: unknown): void {
    if (!Array.isArray((mapping as { resources?: unknown }).resources)) {
      throw new DomainError('VALIDATION_FAILED', 'Invalid mapping: resources must be an array', {
        fields: [{ field: 'mapping.resources', message: 'must be an array' }],
      });
    }
  }

  async requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void> {
    this.resyncs.push({ orgId, installationId, reason });
    await this.queue.add('resync', { orgId, installationId, reason });
  }

  pause(_orgId: string, installationId: string): Promise<void> {
    this.scheduleCalls.push({ action: 'pause', installationId });
    return Promise.resolve();
  }

  resume(_orgId: string, installationId: string): Promise<void> {
    this.scheduleCalls.push({ action: 'resume', installationId });
    return Promise.resolve();
  }

  remove(_orgId: string, installationId: string): Promise<void> {
    this.scheduleCalls.push({ action: 'remove', installationId });
    return Promise.resolve();
  }

  deleteEntities(_orgId: string, installationId: string): Promise<number> {
    this.entityDeletions.push(installationId);
    return Promise.resolve(0);
  }

  providers(): Provider[] {
    return [BLUEPRINT_PROVISIONER, MAPPING_VALIDATOR, RESYNC_TRIGGER, SCHEDULE_CONTROL, INSTALLATION_ENTITY_CLEANER].map(
      (token) => ({
        provide: token,
        useValue: this,
      }),
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
