import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import type { InstallationRecord, NewInstallation } from '../records.js';
import type { Prisma } from '../generated/prisma/client.js';

@Injectable()
export class InstallationRepository {
  constructor(private readonly db: Database) {}

  async create(orgId: string, installation: NewInstallation): Promise<InstallationRecord> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.installation.create({
        data: {
          orgId,
          integrationId: installation.integrationId,
          name: installation.name,
          mapping: installation.mapping as Prisma.InputJsonValue,
          settings: installation.settings,
        },
      }),
    );
    return toInstallationRecord(row);
  }

  async find(orgId: string, id: string): Promise<InstallationRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) => tx.installation.findFirst({ where: { orgId, id } }));
    return row && toInstallationRecord(row);
  }

  async list(orgId: string): Promise<InstallationRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.installation.findMany({ where: { orgId }, orderBy: { createdAt: 'asc' } }),
    );
    return rows.map(toInstallationRecord);
  }

  async updateMapping(orgId: string, id: string, mapping: unknown): Promise<InstallationRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.installation.updateMany({
        where: { orgId, id },
        data: { mapping: mapping as Prisma.InputJsonValue },
      });
      if (!count) return null;
      return toInstallationRecord(await tx.installation.findFirstOrThrow({ where: { orgId, id } }));
    });
  }
}

function toInstallationRecord(row: {
  id: string;
  orgId: string;
  integrationId: string;
  name: string;
  mapping: unknown;
  settings: unknown;
  createdAt: Date;
  updatedAt: Date;
}): InstallationRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    integrationId: row.integrationId,
    name: row.name,
    mapping: row.mapping,
    settings: row.settings as Record<string, string>,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
