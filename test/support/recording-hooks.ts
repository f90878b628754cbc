import { Queue } from 'bullmq';
import type { BlueprintDefinition, IntegrationDefinition } from '@mooring/integrations';
import type {
  BlueprintProvisioner,
  InstallationEntityCleaner,
  InstallationPorts,
  LiveEventHooks,
  MappingCheck,
  ResyncReason,
  ResyncTrigger,
} from '@mooring/installations';
import { DomainError } from '@mooring/platform';
import type { TestRedis } from './test-redis.js';

/**
 * Implementations of the installations' ports for tests of installing alone, standing where the
 * catalog, libs/sync and libs/runs plug in. Resync requests become real BullMQ jobs in the test's
 * Redis namespace, so tests can check what a job payload holds. Schedules are real (the lifecycle's).
 */
export class RecordingHooks
  implements BlueprintProvisioner, MappingCheck, ResyncTrigger, InstallationEntityCleaner, LiveEventHooks
{
  readonly blueprintCalls: Array<{ orgId: string; identifiers: string[] }> = [];
  readonly resyncs: Array<{ orgId: string; installationId: string; reason: ResyncReason }> = [];
  readonly entityDeletions: string[] = [];
  readonly liveEventCalls: Array<{ installationId: string; call: 'installed' | 'removing' }> = [];
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

  deleteEntities(_orgId: string, installationId: string): Promise<number> {
    this.entityDeletions.push(installationId);
    return Promise.resolve(0);
  }

  installed(_orgId: string, installationId: string): Promise<void> {
    this.liveEventCalls.push({ installationId, call: 'installed' });
    return Promise.resolve();
  }

  removing(_orgId: string, installationId: string): Promise<void> {
    this.liveEventCalls.push({ installationId, call: 'removing' });
    return Promise.resolve();
  }

  ports(): InstallationPorts {
    return { blueprints: this, mappings: this, resyncs: this, entities: this, liveEvents: this };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
