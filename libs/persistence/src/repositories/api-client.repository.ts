import { Injectable } from '@nestjs/common';
import type { Role } from '@mooring/platform';
import { writeAudit } from '../audit.js';
import { Database, type TenantTx } from '../database.js';
import type { ApiClientRecord, ApiClientSecretRecord, NewApiClient } from '../records.js';

@Injectable()
export class ApiClientRepository {
  constructor(private readonly db: Database) {}

  async create(orgId: string, client: NewApiClient): Promise<ApiClientRecord> {
    const row = await this.db.inTenant(orgId, async (tx) => {
      const created = await tx.apiClient.create({ data: { ...client, orgId } });
      await auditClientCreated(tx, orgId, created.id, client);
      return created;
    });
    return toApiClientRecord(row);
  }

  async list(orgId: string): Promise<ApiClientRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.apiClient.findMany({ where: { orgId }, orderBy: { createdAt: 'asc' } }),
    );
    return rows.map(toApiClientRecord);
  }

  /** Marks the client revoked; tokens it already holds stop working at their next verification. */
  async revoke(orgId: string, id: string): Promise<ApiClientRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.apiClient.updateMany({ where: { orgId, id, revokedAt: null }, data: { revokedAt: new Date() } });
      const row = await tx.apiClient.findFirst({ where: { orgId, id } });
      if (count && row) {
        await writeAudit(tx, orgId, {
          action: 'api_client.revoked',
          targetType: 'api_client',
          targetId: id,
          details: { name: row.name },
        });
      }
      return row && (count || row.revokedAt) ? toApiClientRecord(row) : null;
    });
  }

  async countActiveAdmins(orgId: string): Promise<number> {
    return this.db.inTenant(orgId, (tx) => tx.apiClient.count({ where: { orgId, role: 'admin', revokedAt: null } }));
  }

  /** Whether the principal of a token is still allowed to act (not revoked, same role). */
  async findActive(orgId: string, id: string): Promise<{ role: Role; name: string } | null> {
    return this.db.inTenant(orgId, (tx) =>
      tx.apiClient.findFirst({ where: { orgId, id, revokedAt: null }, select: { role: true, name: true } }),
    );
  }

  async touchLastUsed(orgId: string, id: string): Promise<void> {
    await this.db.inTenant(orgId, (tx) => tx.apiClient.updateMany({ where: { orgId, id }, data: { lastUsedAt: new Date() } }));
  }

  /**
   * The one lookup made before the organization is known: a SECURITY DEFINER function that
   * returns only what authentication needs for one clientId.
   */
  async findSecretByClientId(clientId: string): Promise<ApiClientSecretRecord | null> {
    const rows = await this.db.prisma.$queryRaw<
      Array<{ id: string; org_id: string; secret_hash: string; role: Role; revoked_at: Date | null }>
    >`SELECT id, org_id, secret_hash, role, revoked_at FROM mooring_system.find_api_client(${clientId})`;
    const row = rows[0];
    return row ? { id: row.id, orgId: row.org_id, secretHash: row.secret_hash, role: row.role, revokedAt: row.revoked_at } : null;
  }
}

export function toApiClientRecord(row: {
  id: string;
  orgId: string;
  clientId: string;
  name: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiClientRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    clientId: row.clientId,
    name: row.name,
    role: row.role,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export function auditClientCreated(tx: TenantTx, orgId: string, id: string, client: NewApiClient): Promise<void> {
  return writeAudit(tx, orgId, {
    action: 'api_client.created',
    targetType: 'api_client',
    targetId: id,
    details: { name: client.name, role: client.role, clientId: client.clientId },
  });
}
