import type { Role } from '@mooring/platform';

// Records of people: users, their sessions and invitations.

export interface UserRecord {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly lastSignInAt: Date | null;
}

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
}

/** What signing in needs, found by email before the organization is known. */
export interface SignInCandidate {
  readonly id: string;
  readonly orgId: string;
  readonly passwordHash: string;
}

export interface NewUserSession {
  readonly tokenHash: string;
  readonly csrfHash: string;
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  readonly address: string | null;
}

/** A live session found by its token's hash, with its person as they are now. */
export interface ActiveSession {
  readonly id: string;
  readonly orgId: string;
  readonly csrfHash: string;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly user: { readonly id: string; readonly email: string; readonly name: string; readonly role: Role };
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InvitationRecord {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly role: Role;
  readonly status: InvitationStatus;
  readonly invitedBy: { readonly kind: 'user' | 'api_client'; readonly id: string; readonly name: string };
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly acceptedAt: Date | null;
}

export interface NewInvitation {
  readonly email: string;
  readonly role: Role;
  readonly tokenHash: string;
  readonly invitedBy: { readonly kind: 'user' | 'api_client'; readonly id: string; readonly name: string };
  readonly expiresAt: Date;
}

/** An invitation found by its token's hash, before the organization is known. */
export interface InvitationByToken {
  readonly id: string;
  readonly orgId: string;
  readonly organizationName: string;
  readonly email: string;
  readonly role: Role;
  readonly status: InvitationStatus;
  readonly expiresAt: Date;
}
