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
