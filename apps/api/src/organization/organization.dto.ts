import { z } from 'zod';
import type { ApiClientRecord, OrganizationRecord } from '@mooring/persistence';
import { ROLES } from '@mooring/platform';

export const organizationName = z.string().trim().min(1).max(100);

export const updateOrganizationRequest = z
  .strictObject({
    name: organizationName.optional(),
    /** Lets installations reach tools over plain http; https only while false (the default). */
    allowHttpHosts: z.boolean().optional(),
  })
  .refine((body) => body.name !== undefined || body.allowHttpHosts !== undefined, 'send name or allowHttpHosts');

export const createApiClientRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
});

export const uuidParam = z.uuid({ error: 'must be a UUID' });

export function organizationView(organization: OrganizationRecord) {
  return {
    id: organization.id,
    name: organization.name,
    allowHttpHosts: organization.allowHttpHosts,
    /** Set by the operator (`npm run org:limits`): sync runs dispatched or running at once. */
    maxConcurrentRuns: organization.maxConcurrentRuns,
    createdAt: organization.createdAt.toISOString(),
  };
}

/** An API client as the API shows it: never the secret, nor its hash. */
export function apiClientView(client: ApiClientRecord) {
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
