import type { BlueprintDefinition, IntegrationDefinition } from '@mooring/integrations';

// What installing touches outside this library, behind small interfaces the application wires:
// the catalog (blueprints, entities), mapping validation and the sync queue (libs/sync), and
// scheduling. Each is optional; the module logs at boot which ones are not wired, and never
// pretends to have done their work.

/** Creates the integration's default blueprints the organization does not have yet. */
export interface BlueprintProvisioner {
  ensureBlueprints(orgId: string, blueprints: readonly BlueprintDefinition[]): Promise<void>;
}
export const BLUEPRINT_PROVISIONER = Symbol('BLUEPRINT_PROVISIONER');

/** Validates a mapping for an integration; throws VALIDATION_FAILED naming the bad field. */
export interface MappingValidator {
  validate(integration: IntegrationDefinition, mapping: unknown): void | Promise<void>;
}
export const MAPPING_VALIDATOR = Symbol('MAPPING_VALIDATOR');

export type ResyncReason = 'installed' | 'mapping_changed' | 'credentials_rotated';

/** Enqueues a resync of an installation (ids only in the job). */
export interface ResyncTrigger {
  requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void>;
}
export const RESYNC_TRIGGER = Symbol('RESYNC_TRIGGER');

/**
 * Keeps the installation's schedule in step with it: paused while it is disabled or needs
 * re-authorization, resumed when it is active again, removed with it.
 */
export interface ScheduleControl {
  pause(orgId: string, installationId: string): Promise<void>;
  resume(orgId: string, installationId: string): Promise<void>;
  remove(orgId: string, installationId: string): Promise<void>;
}
export const SCHEDULE_CONTROL = Symbol('SCHEDULE_CONTROL');

/** Deletes the entities an installation owns (DELETE …?deleteEntities=true). Returns how many. */
export interface InstallationEntityCleaner {
  deleteEntities(orgId: string, installationId: string): Promise<number>;
}
export const INSTALLATION_ENTITY_CLEANER = Symbol('INSTALLATION_ENTITY_CLEANER');

/** The integrations on offer; INTEGRATIONS from libs/integrations unless a test supplies its own. */
export const INTEGRATION_REGISTRY = Symbol('INTEGRATION_REGISTRY');

/** Concurrency limits shared across processes (Redis), for integrations' per-token caps. */
export const SHARED_CONCURRENCY = Symbol('SHARED_CONCURRENCY');
