import type { Role } from '@mooring/platform';
import type { Schedule } from '@mooring/scheduling';

export interface OrganizationRecord {
  readonly id: string;
  readonly name: string;
  /** Whether installations may reach tools over plain http (https only otherwise). */
  readonly allowHttpHosts: boolean;
  /** Sync runs it may have dispatched or running at once (fairness across organizations). */
  readonly maxConcurrentRuns: number;
  readonly createdAt: Date;
}

export interface ApiClientRecord {
  readonly id: string;
  readonly orgId: string;
  readonly clientId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What authentication needs, found by clientId before the organization is known. */
export interface ApiClientSecretRecord {
  readonly id: string;
  readonly orgId: string;
  readonly secretHash: string;
  readonly role: Role;
  readonly revokedAt: Date | null;
}

export interface NewApiClient {
  readonly clientId: string;
  readonly secretHash: string;
  readonly name: string;
  readonly role: Role;
}

export type AuthMethod = 'custom_settings' | 'oauth2';
export type InstallationState = 'active' | 'needs_reauth' | 'disabled';
export type CredentialKind = 'settings' | 'oauth2';

/** A secret as stored: ciphertext and wrapped data key (libs/crypto's SealedSecret). */
export interface StoredEnvelope {
  readonly formatVersion: number;
  readonly keyId: string;
  readonly encryptedDataKey: Buffer;
  readonly ciphertext: Buffer;
}

/** What may be shown about an installation's credential: never the secret itself. */
export interface CredentialSummary {
  readonly kind: CredentialKind;
  /** Per sensitive field, its last 4 characters at most. */
  readonly hints: Readonly<Record<string, string>>;
  readonly expiresAt: Date | null;
  readonly updatedAt: Date;
}

export interface NewCredential {
  readonly kind: CredentialKind;
  readonly envelope: StoredEnvelope;
  readonly hints: Readonly<Record<string, string>>;
  readonly expiresAt: Date | null;
}

export interface StoredCredential extends NewCredential {
  readonly installationId: string;
  readonly version: number;
  readonly updatedAt: Date;
}

export interface InstallationRecord {
  readonly id: string;
  readonly orgId: string;
  readonly integrationId: string;
  readonly name: string;
  readonly authMethod: AuthMethod;
  /** Stored as saved; libs/sync validates it before it is saved and again before it is used. */
  readonly mapping: unknown;
  readonly settings: Readonly<Record<string, string>>;
  readonly schedule: Schedule;
  /** Deletion is refused when a resource's fetch count drops by more than this share (0 to 1). */
  readonly maxFetchDrop: number;
  readonly enabled: boolean;
  readonly state: InstallationState;
  readonly stateReason: string | null;
  readonly stateChangedAt: Date;
  readonly createdBy: string | null;
  readonly providerAccount: ProviderAccount | null;
  readonly credential: CredentialSummary | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewInstallation {
  /** Chosen by the caller when secrets must be sealed for the id before the row exists. */
  readonly id?: string;
  readonly integrationId: string;
  readonly name: string;
  /** custom_settings unless given. */
  readonly authMethod?: AuthMethod;
  readonly mapping: unknown;
  readonly settings: Readonly<Record<string, string>>;
  /** Hourly unless given. */
  readonly schedule?: Schedule;
  /** 0.5 unless given. */
  readonly maxFetchDrop?: number;
  readonly createdBy?: string | null;
  readonly providerAccount?: ProviderAccount | null;
  /** Authenticated as Mooring's own App at the tool: the tool's installation it mints tokens for. */
  readonly platformApp?: PlatformAppLink;
}

/** An installation of Mooring's own App at a tool (one per tool installation, across organizations). */
export interface PlatformAppLink {
  readonly externalId: string;
  readonly account: { readonly login: string; readonly type: string };
}

/** The account at the provider that OAuth tokens belong to (e.g. a GitHub user). */
export interface ProviderAccount {
  readonly id: string;
  readonly name: string;
}

export interface InstallationChanges {
  readonly name?: string;
  /** New credentials of another provider account (a confirmed reconnect). */
  readonly providerAccount?: ProviderAccount | null;
  readonly mapping?: unknown;
  readonly settings?: Readonly<Record<string, string>>;
  readonly schedule?: Schedule;
  readonly maxFetchDrop?: number;
  readonly enabled?: boolean;
}

/**
 * A change of an installation's state, applied only while it is in one of `from`. The rules (which
 * change may follow which state) belong to the installation lifecycle (libs/installations).
 */
export interface StateTransition {
  readonly to: InstallationState;
  readonly reason: string | null;
  readonly from: readonly InstallationState[];
}

/** A transition that was applied: what the lifecycle's follow-ups (schedule, event) act on. */
export interface AppliedTransition {
  readonly orgId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly from: InstallationState;
  readonly to: InstallationState;
  readonly reason: string | null;
}

export interface NewConnectSession {
  /** Chosen by the caller: the session's secrets are sealed for it before the row exists. */
  readonly id: string;
  readonly stateHash: string;
  readonly principalKind: 'user' | 'api_client';
  readonly principalId: string;
  /** SHA-256 of the value of the HttpOnly cookie set in the browser that started connecting. */
  readonly browserHash: string | null;
  readonly integrationId: string;
  readonly installationId: string | null;
  readonly name: string | null;
  readonly settings: Readonly<Record<string, string>>;
  readonly returnUrl: string;
  readonly redirectUri: string;
  readonly envelope: StoredEnvelope;
  readonly expiresAt: Date;
}

export interface ConnectSessionRecord extends NewConnectSession {
  readonly id: string;
  readonly orgId: string;
  readonly consumedAt: Date | null;
  /** A reconnect that returned another provider account, waiting for the person to confirm it. */
  readonly pendingAccount: ProviderAccount | null;
  readonly confirmedAt: Date | null;
  readonly createdAt: Date;
}

/** The result of claiming a connect session by its state, before the organization is known. */
export interface ClaimedConnectSession {
  readonly id: string;
  readonly orgId: string;
  /** The state had already been used: this callback is a replay. */
  readonly reused: boolean;
  readonly expired: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly hasMore: boolean;
}

export interface AuditEventRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly actor: { readonly kind: string; readonly id: string; readonly name: string | null };
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly details: Readonly<Record<string, unknown>>;
  readonly requestId: string | null;
}
