import type { Role } from '@mooring/platform';

export interface OrganizationRecord {
  readonly id: string;
  readonly name: string;
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

export interface InstallationRecord {
  readonly id: string;
  readonly orgId: string;
  readonly integrationId: string;
  readonly name: string;
  /** Stored as saved; libs/sync validates it before it is saved and again before it is used. */
  readonly mapping: unknown;
  readonly settings: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewInstallation {
  readonly integrationId: string;
  readonly name: string;
  readonly mapping: unknown;
  readonly settings: Readonly<Record<string, string>>;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly hasMore: boolean;
}

export interface AuditEventRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly details: Readonly<Record<string, unknown>>;
  readonly requestId: string | null;
}
