import { Injectable } from '@nestjs/common';
import type { RequestPolicy } from '@mooring/outbound';
import { OrganizationRepository } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';

/** The organization's outbound policy: https only unless it allowed plain http hosts. */
@Injectable()
export class OutboundPolicyService {
  constructor(private readonly organizations: OrganizationRepository) {}

  async forOrganization(orgId: string): Promise<RequestPolicy> {
    const organization = await this.organizations.find(orgId);
    if (!organization) throw new DomainError('NOT_FOUND', 'Organization not found', { resource: 'organization' });
    return { allowHttp: organization.allowHttpHosts };
  }
}
