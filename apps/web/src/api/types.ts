import type { api, ResponseOf, Role } from '@mooring/contract';

// The shapes the console reads, derived from the api's contract (libs/contract): one source of truth.

export type { Role };

export type MeView = ResponseOf<typeof api.auth.me>;
export type IntegrationView = ResponseOf<typeof api.integrations.get>['integration'];
export type SettingField = NonNullable<IntegrationView['customSettings']>['fields'][number];
export type InstallationView = ResponseOf<typeof api.installations.get>['installation'];
export type InstallationState = InstallationView['state'];
export type ScheduleView = InstallationView['schedule'];
export type LiveEventsHookView = ResponseOf<typeof api.liveEvents.get>['hook'];
export type SyncStatusResponse = ResponseOf<typeof api.installations.syncStatus>;
export type SyncRunView = NonNullable<SyncStatusResponse['run']>;
export type RunStatus = SyncRunView['status'];
export type ResourceStatus = SyncRunView['resources'][number];
export type ErrorSample = ResourceStatus['errorSamples'][number];
export type TipView = SyncStatusResponse['tips'][number];
export type SyncSummaryView = ResponseOf<typeof api.installations.history>['syncs'][number];
export type RunTotals = SyncSummaryView['totals'];
export type RunEventView = ResponseOf<typeof api.installations.runEvents>['events'][number];
export type SamplesResponse = ResponseOf<typeof api.installations.samples>;
export type AuditEventView = ResponseOf<typeof api.organization.auditLog>['events'][number];
export type BlueprintView = ResponseOf<typeof api.blueprints.get>['blueprint'];
export type EntityView = ResponseOf<typeof api.entities.get>['entity'];
export type OrganizationView = ResponseOf<typeof api.organization.get>['organization'];
export type ApiClientView = ResponseOf<typeof api.organization.listApiClients>['apiClients'][number];
export type UserView = ResponseOf<typeof api.organization.listUsers>['users'][number];
export type InvitationView = ResponseOf<typeof api.organization.listInvitations>['invitations'][number];
export type MappingTestResponse = ResponseOf<typeof api.mappings.test>;
export type MappingTestItem = MappingTestResponse['resources'][number]['results'][number];

/** The JSON Schema subset the api uses for settings forms (`settingsJsonSchema`), as the form generator reads it. */
export interface JsonSchemaProperty {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly format?: string;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  readonly writeOnly?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

export interface SettingsSchema {
  readonly type?: 'object';
  readonly properties?: Readonly<Record<string, JsonSchemaProperty>>;
  readonly required?: readonly string[];
}

/** Reads a settings JSON Schema the api sent (typed loosely in the contract) as a form description. */
export function asSettingsSchema(schema: Readonly<Record<string, unknown>> | undefined): SettingsSchema {
  if (!schema || typeof schema['properties'] !== 'object' || schema['properties'] === null) return { properties: {} };
  return schema;
}
