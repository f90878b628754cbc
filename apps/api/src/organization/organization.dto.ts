import type { apiClient, organization, Reply } from '@mooring/contract';
import type { ApiClientRecord, OrganizationRecord } from '@mooring/persistence';

export function organizationView(record: OrganizationRecord): Reply<typeof organization> {
  return {
    id: record.id,
    name: record.name,
    allowHttpHosts: record.allowHttpHosts,
    maxConcurrentRuns: record.maxConcurrentRuns,
    createdAt: record.createdAt.toISOString(),
  };
}

/** An API client as the API shows it: never the secret, nor its hash. */
export function apiClientView(client: ApiClientRecord): Reply<typeof apiClient> {
  return {
    id: client.id,
    clientId: client.clientId,
    name: client.name,
    role: client.role,
    createdAt: client.createdAt.toISOString(),
    lastUsedAt: client.lastUsedAt?.toISOString() ?? null,
    revokedAt: client.revokedAt?.toISOString() ?? null,
  };
}
