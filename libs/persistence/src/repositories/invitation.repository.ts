import { Injectable } from '@nestjs/common';
import type { Role } from '@mooring/platform';
import { writeAudit } from '../audit.js';
import { Database } from '../database.js';
import type {
  InvitationByToken,
  InvitationRecord,
  InvitationStatus,
  NewInvitation,
  NewUser,
  UserRecord,
} from '../people-records.js';
import { UserRepository } from './user.repository.js';

interface InvitationRow {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  invitedByKind: string;
  invitedById: string;
  invitedByName: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

/** Invitations by single-use link. Only the hash of a link's token is stored. */
@Injectable()
export class InvitationRepository {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
  ) {}

  async create(orgId: string, invitation: NewInvitation): Promise<InvitationRecord> {
    const row = await this.db.inTenant(orgId, async (tx) => {
      const created = await tx.invitation.create({
        data: {
          orgId,
          email: invitation.email,
          role: invitation.role,
          tokenHash: invitation.tokenHash,
          invitedByKind: invitation.invitedBy.kind,
          invitedById: invitation.invitedBy.id,
          invitedByName: invitation.invitedBy.name,
          expiresAt: invitation.expiresAt,
        },
      });
      await writeAudit(tx, orgId, {
        action: 'user.invited',
        targetType: 'invitation',
        targetId: created.id,
        details: { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString() },
      });
      return created;
    });
    return toInvitationRecord(row);
  }

  async list(orgId: string, limit = 200): Promise<InvitationRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.invitation.findMany({ where: { orgId }, orderBy: { createdAt: 'desc' }, take: limit }),
    );
    return rows.map(toInvitationRecord);
  }

  /** Revokes a pending invitation; null when there is none with that id. */
  async revoke(orgId: string, id: string): Promise<InvitationRecord | null> {
    const row = await this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.invitation.updateMany({
        where: { orgId, id, acceptedAt: null, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      const current = await tx.invitation.findFirst({ where: { orgId, id } });
      if (count && current) {
        await writeAudit(tx, orgId, {
          action: 'user.invitation_revoked',
          targetType: 'invitation',
          targetId: id,
          details: { email: current.email },
        });
      }
      return current;
    });
    return row && toInvitationRecord(row);
  }

  /** The invitation of a token hash, before the organization is known (SECURITY DEFINER). */
  async findByToken(tokenHash: string): Promise<InvitationByToken | null> {
    const rows = await this.db.prisma.$queryRaw<
      Array<{
        id: string;
        org_id: string;
        organization_name: string;
        email: string;
        role: Role;
        expires_at: Date;
        accepted_at: Date | null;
        revoked_at: Date | null;
      }>
    >`SELECT id, org_id, organization_name, email, role, expires_at, accepted_at, revoked_at
        FROM mooring_system.find_invitation(${tokenHash})`;
    const row = rows[0];
    return row
      ? {
          id: row.id,
          orgId: row.org_id,
          organizationName: row.organization_name,
          email: row.email,
          role: row.role,
          status: statusOf({ acceptedAt: row.accepted_at, revokedAt: row.revoked_at, expiresAt: row.expires_at }),
          expiresAt: row.expires_at,
        }
      : null;
  }

  /**
   * Uses a pending invitation once: marks it accepted and creates the person, in one transaction.
   * Null when it was used, revoked or expired meanwhile (two tabs accepting at once: one wins).
   */
  async accept(orgId: string, id: string, user: NewUser): Promise<UserRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.invitation.updateMany({
        where: { orgId, id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        data: { acceptedAt: new Date() },
      });
      if (!count) return null;
      const created = await this.users.create(orgId, user, tx);
      await tx.invitation.update({ where: { id }, data: { acceptedUserId: created.id } });
      await writeAudit(tx, orgId, {
        action: 'user.joined',
        targetType: 'user',
        targetId: created.id,
        details: { email: created.email, role: created.role, invitationId: id },
        actor: { kind: 'user', id: created.id, name: created.email },
      });
      return created;
    });
  }
}

function statusOf(row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }): InvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= Date.now() ? 'expired' : 'pending';
}

function toInvitationRecord(row: InvitationRow): InvitationRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    email: row.email,
    role: row.role,
    status: statusOf(row),
    invitedBy: { kind: row.invitedByKind === 'user' ? 'user' : 'api_client', id: row.invitedById, name: row.invitedByName },
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    acceptedAt: row.acceptedAt,
  };
}
