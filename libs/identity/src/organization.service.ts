import { Injectable } from '@nestjs/common';
import { DomainError, registerSecret } from '@mooring/platform';
import { OrganizationRepository, type OrganizationRecord } from '@mooring/persistence';
import type { CreatedApiClient } from './api-client.service.js';
import { generateClientCredentials, hashClientSecret } from './client-credentials.js';

@Injectable()
export class OrganizationService {
  constructor(private readonly organizations: OrganizationRepository) {}

  /** Creates an organization with its first admin client, whose secret is returned once. */
  async create(name: string): Promise<{ organization: OrganizationRecord } & CreatedApiClient> {
    const credentials = generateClientCredentials();
    registerSecret(credentials.clientSecret, { runtime: true });
    const { organization, client } = await this.organizations.createWithClient(name, {
      clientId: credentials.clientId,
      secretHash: hashClientSecret(credentials.clientSecret),
      name: 'admin',
      role: 'admin',
    });
    return { organization, client, credentials };
  }

  async get(orgId: string): Promise<OrganizationRecord> {
    const organization = await this.organizations.find(orgId);
    if (!organization) throw new DomainError('NOT_FOUND', 'Organization not found', { resource: 'organization' });
    return organization;
  }

  async rename(orgId: string, name: string): Promise<OrganizationRecord> {
    const organization = await this.organizations.rename(orgId, name);
    if (!organization) throw new DomainError('NOT_FOUND', 'Organization not found', { resource: 'organization' });
    return organization;
  }

  /** Renames and/or changes whether installations may use plain http hosts. */
  async update(
    orgId: string,
    changes: { name?: string | undefined; allowHttpHosts?: boolean | undefined },
  ): Promise<OrganizationRecord> {
    let organization = changes.name !== undefined ? await this.rename(orgId, changes.name) : await this.get(orgId);
    if (changes.allowHttpHosts !== undefined && changes.allowHttpHosts !== organization.allowHttpHosts) {
      const updated = await this.organizations.setAllowHttpHosts(orgId, changes.allowHttpHosts);
      if (!updated) throw new DomainError('NOT_FOUND', 'Organization not found', { resource: 'organization' });
      organization = updated;
    }
    return organization;
  }
}
