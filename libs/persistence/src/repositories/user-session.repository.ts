import { Injectable } from '@nestjs/common';
import type { Role } from '@mooring/platform';
import { writeAudit } from '../audit.js';
import { Database } from '../database.js';
import type { ActiveSession, NewUserSession } from '../people-records.js';

/** Browser sessions of people. Only hashes of their tokens are stored. */
@Injectable()
export class UserSessionRepository {
  constructor(private readonly db: Database) {}

  async create(orgId: string, userId: string, session: NewUserSession): Promise<string> {
    return this.db.inTenant(orgId, async (tx) => {
      // Ended sessions are kept a day for the record, then removed as their person signs in again.
      await tx.userSession.deleteMany({ where: { orgId, userId, expiresAt: { lt: new Date(Date.now() - 86_400_000) } } });
      const row = await tx.userSession.create({ data: { ...session, orgId, userId }, select: { id: true } });
      return row.id;
    });
  }

  /** The live (not revoked) session of a token hash, found before the organization is known. */
  async findActive(tokenHash: string): Promise<ActiveSession | null> {
    const rows = await this.db.prisma.$queryRaw<
      Array<{
        id: string;
        org_id: string;
        user_id: string;
        csrf_hash: string;
        last_seen_at: Date;
        expires_at: Date;
        email: string;
        name: string;
        role: Role;
      }>
    >`SELECT id, org_id, user_id, csrf_hash, last_seen_at, expires_at, email, name, role
        FROM mooring_system.find_user_session(${tokenHash})`;
    const row = rows[0];
    return row
      ? {
          id: row.id,
          orgId: row.org_id,
          csrfHash: row.csrf_hash,
          lastSeenAt: row.last_seen_at,
          expiresAt: row.expires_at,
          user: { id: row.user_id, email: row.email, name: row.name, role: row.role },
        }
      : null;
  }

  async touch(orgId: string, id: string): Promise<void> {
    await this.db.inTenant(orgId, (tx) => tx.userSession.updateMany({ where: { orgId, id }, data: { lastSeenAt: new Date() } }));
  }

  async revoke(orgId: string, id: string): Promise<void> {
    await this.db.inTenant(orgId, (tx) =>
      tx.userSession.updateMany({ where: { orgId, id, revokedAt: null }, data: { revokedAt: new Date() } }),
    );
  }

  /** Ends every session of a person (sign out everywhere); returns how many were live. */
  async revokeAll(orgId: string, userId: string): Promise<number> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.userSession.updateMany({
        where: { orgId, userId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await writeAudit(tx, orgId, {
        action: 'user.signed_out_everywhere',
        targetType: 'user',
        targetId: userId,
        details: { sessions: count },
      });
      return count;
    });
  }
}
