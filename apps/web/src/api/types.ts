// Response shapes of the api, as the console reads them.

export type Role = 'member' | 'moderator' | 'admin';

export interface SessionView {
  readonly user: { readonly id: string; readonly email: string; readonly name: string | null; readonly role: Role };
  readonly organization: { readonly id: string; readonly name: string };
  readonly csrfToken: string;
}

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

export interface SettingField {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly type: string;
  readonly required: boolean;
  readonly sensitive: boolean;
}

export interface IntegrationView {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly authMethods: ReadonlyArray<'oauth2' | 'custom_settings'>;
  readonly oauth2: {
    readonly scopes: readonly string[];
    readonly pkce: boolean;
    readonly mooringClient: boolean;
    readonly settings: SettingsSchema;
  } | null;
  readonly customSettings: { readonly fields: readonly SettingField[]; readonly schema: SettingsSchema } | null;
  readonly kinds: ReadonlyArray<{ readonly kind: string; readonly title: string }>;
}

export type InstallationState = 'active' | 'needs_reauth' | 'disabled';
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'aborted' | 'skipped';

export interface RunTotals {
  readonly fetched: number;
  readonly transformed: number;
  readonly filteredOut: number;
  readonly ingested: number;
  readonly notChanged: number;
  readonly failed: number;
  readonly deleted: number;
}

export type ScheduleView = { readonly every: string } | { readonly cron: string; readonly timezone: string };

export interface InstallationView {
  readonly id: string;
  readonly integrationId: string;
  readonly name: string;
  readonly authMethod: 'oauth2' | 'custom_settings';
  readonly enabled: boolean;
  readonly state: InstallationState;
  readonly stateReason: string | null;
  readonly stateChangedAt: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secrets: Readonly<Record<string, { readonly set: boolean; readonly last4: string | null }>>;
  readonly oauth: { readonly connected: boolean; readonly accessTokenExpiresAt: string | null } | null;
  readonly credentialsUpdatedAt: string | null;
  readonly schedule: ScheduleView;
  readonly nextRunAt: string | null;
  readonly mapping: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sync?: {
    readonly lastRun: {
      readonly id: string;
      readonly status: RunStatus;
      readonly trigger: string;
      readonly startedAt: string | null;
      readonly finishedAt: string | null;
      readonly durationMs: number | null;
      readonly errorCode: string | null;
      readonly totals: RunTotals;
    } | null;
    readonly activeRun: {
      readonly id: string;
      readonly status: RunStatus;
      readonly createdAt: string | null;
      readonly startedAt: string | null;
    } | null;
  };
  readonly entities?: { readonly total: number; readonly byBlueprint: Readonly<Record<string, number>> };
}

export interface ErrorSample {
  readonly phase: string;
  readonly reason: string;
  readonly field?: string;
  readonly identifier?: string;
  readonly blueprint?: string;
}

export interface ResourceStatus {
  readonly kind: string;
  readonly kindIndex: number;
  readonly kindIdentifier: string;
  readonly blueprint: string | null;
  readonly status: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly extract: { readonly fetched: number; readonly failed: number; readonly durationMs: number | null };
  readonly transform: {
    readonly transformed: number;
    readonly filteredOut: number;
    readonly failed: number;
    readonly durationMs: number | null;
  };
  readonly load: {
    readonly ingested: number;
    readonly notChanged: number;
    readonly failed: number;
    readonly durationMs: number | null;
  };
  readonly error: unknown;
  readonly errorSamples: readonly ErrorSample[];
}

export interface RunHeader {
  readonly id: string;
  readonly installationId: string;
  readonly status: RunStatus;
  readonly trigger: string;
  readonly attempt: number;
  readonly scheduledFor: string | null;
  readonly skippedFor: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly error: { readonly code: string; readonly message: string | null } | null;
}

export interface SyncRunView extends RunHeader {
  readonly resources: readonly ResourceStatus[];
  readonly reconciliation: {
    readonly reingested: number;
    readonly reingestFailed: number;
    readonly deleted: number;
    readonly deleteFailed: number;
    readonly durationMs: number | null;
    readonly deletion: { readonly decision: string; readonly reason: string | null; readonly details: unknown } | null;
  };
}

export interface TipView {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly kind: string | null;
  readonly kindIndex: number | null;
}

export interface SyncStatusResponse {
  readonly installationId: string;
  readonly run: SyncRunView | null;
  readonly tips: readonly TipView[];
}

export interface SyncSummaryView extends RunHeader {
  readonly totals: RunTotals;
}

export interface RunEventView {
  readonly seq: string | number;
  readonly occurredAt: string;
  readonly level: string;
  readonly type: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export interface AuditEventView {
  readonly id: string;
  readonly occurredAt: string;
  /** Who did it: a user or an API client (`name`/`email` when the api names them). */
  readonly actor: { readonly kind: string; readonly id: string; readonly name?: string | null; readonly email?: string | null };
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly details: Readonly<Record<string, unknown>>;
  readonly requestId: string | null;
}

export interface BlueprintView {
  readonly identifier: string;
  readonly title: string | null;
  readonly icon: string | null;
  readonly description: string | null;
  readonly schema: { readonly properties?: Readonly<Record<string, JsonSchemaProperty>>; readonly required?: readonly string[] };
  readonly relations: Readonly<Record<string, { readonly target: string; readonly title?: string; readonly many: boolean }>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface EntityView {
  readonly identifier: string;
  readonly blueprint: string;
  readonly title: string | null;
  readonly icon: string | null;
  readonly team: readonly string[] | null;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly relations: Readonly<Record<string, string | readonly string[] | null>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly installationId: string | null;
  readonly resource: string | null;
  readonly placeholder: boolean;
}

export interface OrganizationView {
  readonly id: string;
  readonly name: string;
  readonly allowHttpHosts: boolean;
  readonly maxConcurrentRuns: number;
  readonly createdAt: string;
}

export interface ApiClientView {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: Role;
  readonly createdAt: string;
  readonly lastSignInAt?: string | null;
}

export interface InvitationView {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly expiresAt: string;
  readonly createdAt: string;
  readonly acceptedAt?: string | null;
}

export interface MappingTestItem {
  readonly item: number;
  readonly outcome: 'entity' | 'filtered' | 'failed';
  readonly entity?: {
    readonly identifier: string;
    readonly blueprint: string;
    readonly title?: string | null;
    readonly properties?: Readonly<Record<string, unknown>>;
    readonly relations?: Readonly<Record<string, unknown>>;
  };
  readonly error?: {
    readonly reason: string;
    readonly field?: string;
    readonly issues?: ReadonlyArray<{ field: string; message: string }>;
  };
}

export interface MappingTestResponse {
  readonly resources: ReadonlyArray<{
    readonly kind: string;
    readonly key: string;
    readonly results: readonly MappingTestItem[];
  }>;
}

export interface SamplesResponse {
  readonly samples: Readonly<Record<string, readonly unknown[]>>;
  readonly runId?: string | null;
  readonly capturedAt?: string | null;
}
