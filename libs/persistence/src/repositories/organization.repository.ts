import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { writeAudit } from '../audit.js';
import { Database } from '../database.js';
import type { ApiClientRecord, NewApiClient, OrganizationRecord } from '../records.js';
import { auditClientCreated, toApiClientRecord } from './api-client.repository.js';

@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: Database) {}

  /** Creates an organization and its first (admin) API client in one transaction. */
  async createWithClient(
    name: string,
    client: NewApiClient,
  ): Promise<{ organization: OrganizationRecord; client: ApiClientRecord }> {
    const orgId = randomUUID();
    return this.db.inTenant(orgId, async (tx) => {
      const organization = await tx.organization.create({ data: { id: orgId, name } });
      const created = await tx.apiClient.create({ data: { ...client, orgId } });
      await writeAudit(tx, orgId, {
        action: 'organization.created',
        targetType: 'organization',
        targetId: orgId,
        details: { name },
      });
      await auditClientCreated(tx, orgId, created.id, client);
      return { organization: toOrganizationRecord(organization), client: toApiClientRecord(created) };
    });
  }

  async find(orgId: string): Promise<OrganizationRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) => tx.organization.findUnique({ where: { id: orgId } }));
    return row && toOrganizationRecord(row);
  }

  async rename(orgId: string, name: string): Promise<OrganizationRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const before = await tx.organization.findUnique({ where: { id: orgId } });
      if (!before) return null;
      await tx.organization.update({ where: { id: orgId }, data: { name } });
      await writeAudit(tx, orgId, {
        action: 'organization.renamed',
        targetType: 'organization',
        targetId: orgId,
        details: { from: before.name, to: name },
      });
      const row = await tx.organization.findUniqueOrThrow({ where: { id: orgId } });
      return toOrganizationRecord(row);
    });
  }

  /** The operator's setting (a plan limit): how many of its sync runs may be dispatched or running at once. */
  async setMaxConcurrentRuns(orgId: string, maxConcurrentRuns: number): Promise<OrganizationRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.organization.updateMany({ where: { id: orgId }, data: { maxConcurrentRuns } });
      if (!count) return null;
      return toOrganizationRecord(await tx.organization.findUniqueOrThrow({ where: { id: orgId } }));
    });
  }

  async setAllowHttpHosts(orgId: string, allowHttpHosts: boolean): Promise<OrganizationRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.organization.updateMany({ where: { id: orgId }, data: { allowHttpHosts } });
      if (!count) return null;
      // Plain http lets tokens travel unencrypted: who allowed it, and when, belongs in the trail.
      await writeAudit(tx, orgId, {
        action: 'organization.http_hosts_changed',
        targetType: 'organization',
        targetId: orgId,
        details: { allowHttpHosts },
      });
      return toOrganizationRecord(await tx.organization.findUniqueOrThrow({ where: { id: orgId } }));
    });
  }
}

function toOrganizationRecord(row: {
  id: string;
  name: string;
  allowHttpHosts: boolean;
  maxConcurrentRuns: number;
  createdAt: Date;
}): OrganizationRecord {
  return {
    id: row.id,
    name: row.name,
    allowHttpHosts: row.allowHttpHosts,
    maxConcurrentRuns: row.maxConcurrentRuns,
    createdAt: row.createdAt,
  };
}
