import type { invitation, Reply, user } from '@mooring/contract';
import type { InvitationRecord, UserRecord } from '@mooring/persistence';

export function userView(record: UserRecord): Reply<typeof user> {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    role: record.role,
    createdAt: record.createdAt.toISOString(),
    lastSignInAt: record.lastSignInAt?.toISOString() ?? null,
  };
}

/** An invitation as the API shows it: never its token, nor the token's hash. */
export function invitationView(record: InvitationRecord): Reply<typeof invitation> {
  return {
    id: record.id,
    email: record.email,
    role: record.role,
    status: record.status,
    invitedBy: record.invitedBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    acceptedAt: record.acceptedAt?.toISOString() ?? null,
  };
}
