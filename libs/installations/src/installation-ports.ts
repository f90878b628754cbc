import type { BlueprintDefinition, IntegrationConnection, IntegrationDefinition } from '@mooring/integrations';

// What managing installations (the api) needs from other libraries, which depend on this one or
// sit beside it: the catalog (blueprints, entities), mapping validation (libs/sync) and run
// requests (libs/runs). Each is an abstract class the api binds to its implementation
// (InstallationsModule.forApi); a port left unbound stops the api at boot.

/** Creates the integration's default blueprints the organization does not have yet. */
export abstract class BlueprintProvisioner {
  abstract ensureBlueprints(orgId: string, blueprints: readonly BlueprintDefinition[]): Promise<unknown>;
}

/** Validates a mapping for an integration; throws VALIDATION_FAILED naming the bad field. */
export abstract class MappingCheck {
  abstract validate(integration: IntegrationDefinition, mapping: unknown): void | Promise<void>;
}

export type ResyncReason = 'installed' | 'mapping_changed' | 'credentials_rotated';

/** Asks for a resync of an installation (a run row; ids only in any job). */
export abstract class ResyncTrigger {
  abstract requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void>;
}

/** Deletes the entities an installation owns (DELETE …?deleteEntities=true). Returns how many. */
export abstract class InstallationEntityCleaner {
  abstract deleteEntities(orgId: string, installationId: string): Promise<number>;
}

/**
 * An installation's live-events hook (libs/live-events): created and registered with the tool at
 * install and on new credentials, removed at uninstall. Neither may fail the install or uninstall:
 * the installation then says its live events are off, and why.
 */
export abstract class LiveEventHooks {
  abstract installed(orgId: string, installationId: string, integrationId: string): Promise<void>;
  abstract removing(
    orgId: string,
    installationId: string,
    integrationId: string,
    connect: () => Promise<IntegrationConnection>,
  ): Promise<void>;
}
