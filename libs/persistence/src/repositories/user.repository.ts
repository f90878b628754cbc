import { Injectable } from '@nestjs/common';
import { DomainError, type Role } from '@mooring/platform';
import { writeAudit } from '../audit.js';
import { Database, type TenantTx } from '../database.js';
import type { NewUser, SignInCandidate, UserRecord } from '../people-records.js';

const SELECT = { id: true, orgId: true, email: true, name: true, role: true, createdAt: true, lastSignInAt: true } as const;

/** People of an organization. Changes that matter are audited in their transaction. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Creates the person; CONFLICT when the email already has an account (in any organization). */
  async create(orgId: string, user: NewUser, tx?: TenantTx): Promise<UserRecord> {
    const run = async (t: TenantTx) => {
      try {
        return await t.user.create({ data: { ...user, orgId }, select: SELECT });
      } catch (error) {
        if ((error as { code?: string }).code === 'P2002') {
          throw new DomainError('CONFLICT', 'This email already has a Mooring account', {
            fields: [{ field: 'email', message: 'already has an account' }],
          });
        }
        throw error;
      }
    };
    return tx ? run(tx) : this.db.inTenant(orgId, run);
  }

  list(orgId: string): Promise<UserRecord[]> {
    return this.db.inTenant(orgId, (tx) => tx.user.findMany({ where: { orgId }, select: SELECT, orderBy: { createdAt: 'asc' } }));
  }

  find(orgId: string, id: string): Promise<UserRecord | null> {
    return this.db.inTenant(orgId, (tx) => tx.user.findFirst({ where: { orgId, id }, select: SELECT }));
  }

  findByEmail(orgId: string, email: string): Promise<UserRecord | null> {
    return this.db.inTenant(orgId, (tx) => tx.user.findFirst({ where: { orgId, email }, select: SELECT }));
  }

  /**
   * Changes a role, keeping at least one admin (person or API client) so somebody can still
   * manage the organization; the check and the change share a transaction.
   */
  async changeRole(orgId: string, id: string, role: Role): Promise<UserRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const current = await tx.user.findFirst({ where: { orgId, id }, select: SELECT });
      if (!current || current.role === role) return current;
      if (current.role === 'admin') await assertAnotherAdmin(tx, orgId, id);
      const updated = await tx.user.update({ where: { id }, data: { role }, select: SELECT });
      await writeAudit(tx, orgId, {
        action: 'user.role_changed',
        targetType: 'user',
        targetId: id,
        details: { email: current.email, from: current.role, to: role },
      });
      return updated;
    });
  }

  /** Removes a person with their sessions (which end at once). */
  async remove(orgId: string, id: string): Promise<UserRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const current = await tx.user.findFirst({ where: { orgId, id }, select: SELECT });
      if (!current) return null;
      if (current.role === 'admin') await assertAnotherAdmin(tx, orgId, id);
      await tx.user.delete({ where: { id } });
      await writeAudit(tx, orgId, {
        action: 'user.removed',
        targetType: 'user',
        targetId: id,
        details: { email: current.email },
      });
      return current;
    });
  }

  async touchSignIn(orgId: string, id: string): Promise<void> {
    await this.db.inTenant(orgId, (tx) => tx.user.updateMany({ where: { orgId, id }, data: { lastSignInAt: new Date() } }));
  }

  /** The one lookup by email made before the organization is known (SECURITY DEFINER). */
  async findForSignIn(email: string): Promise<SignInCandidate | null> {
    const rows = await this.db.prisma.$queryRaw<Array<{ id: string; org_id: string; password_hash: string }>>`
      SELECT id, org_id, password_hash FROM mooring_system.find_user_for_sign_in(${email})`;
    const row = rows[0];
    return row ? { id: row.id, orgId: row.org_id, passwordHash: row.password_hash } : null;
  }
}

async function assertAnotherAdmin(tx: TenantTx, orgId: string, exceptUserId: string): Promise<void> {
  const admins =
    (await tx.user.count({ where: { orgId, role: 'admin', id: { not: exceptUserId } } })) +
    (await tx.apiClient.count({ where: { orgId, role: 'admin', revokedAt: null } }));
  if (admins === 0) {
    throw new DomainError('CONFLICT', 'The last admin keeps the admin role; make someone else an admin first', {
      reason: 'last_admin',
    });
  }
}
