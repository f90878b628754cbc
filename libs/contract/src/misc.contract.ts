import { z } from 'zod';
import { cursor, isoDateTime, jsonObject } from './common.js';

// Mapping tests, the audit trail and health.

export const mappingTestRequest = z.strictObject({
  mapping: jsonObject,
  /** Raw items per kind, in the tool's shape (e.g. an installation's raw samples). */
  samples: z.record(z.string(), z.array(z.record(z.string(), z.json())).max(100)),
  /** When given, kinds and selector keys are checked against this integration. */
  integration: z.string().min(1).max(100).optional(),
});

const mappedEntity = z.object({
  blueprint: z.string(),
  identifier: z.string(),
  title: z.string().nullable().optional(),
  icon: z.string().nullable().optional(),
  team: z.array(z.string()).optional(),
  properties: z.record(z.string(), z.unknown()),
  relations: z.record(z.string(), z.unknown()),
});

/** Why an item could not be mapped (libs/sync's MappingErrorCode). */
export const MAPPING_ERROR_CODES = ['EXPRESSION_FAILED', 'TIME_LIMIT', 'SIZE_LIMIT', 'INVALID_ENTITY', 'NOT_EVALUATED'] as const;

export const mappingTestResult = z.object({
  resources: z.array(
    z.object({
      kind: z.string(),
      key: z.string(),
      results: z.array(
        z.object({
          /** Position of the sample item the result came from. */
          item: z.number().int(),
          outcome: z.enum(['entity', 'filtered', 'failed']),
          entity: mappedEntity.optional(),
          /** JQ leaves that failed and were set to null, as Port does. */
          warnings: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
          error: z
            .object({
              code: z.enum(MAPPING_ERROR_CODES),
              reason: z.string(),
              field: z.string().optional(),
              issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
            })
            .optional(),
        }),
      ),
    }),
  ),
});

export const AUDIT_ACTIONS = [
  'organization.created',
  'organization.renamed',
  'organization.http_hosts_changed',
  'api_client.created',
  'api_client.revoked',
  'user.invited',
  'user.invitation_revoked',
  'user.joined',
  'user.role_changed',
  'user.removed',
  'user.signed_out_everywhere',
  'installation.created',
  'installation.updated',
  'installation.deleted',
  'installation.credentials_rotated',
  'installation.account_changed',
  'installation.mapping_changed',
  'installation.state_changed',
  'installation.resync_requested',
  'installation.webhook_secret_rotated',
  'blueprint.created',
  'blueprint.updated',
  'blueprint.deleted',
  'entity.created',
  'entity.updated',
  'entity.deleted',
] as const;

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
});

export const auditEvent = z.object({
  id: z.string(),
  occurredAt: isoDateTime,
  /** Who did it: a person, an API client, or Mooring itself; `name` as it was at the time. */
  actor: z.object({ kind: z.enum(['user', 'api_client', 'system']), id: z.string(), name: z.string().nullable() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  details: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
});
export const auditLog = z.object({ events: z.array(auditEvent), next: z.string().nullable() });

export const readiness = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});
export const liveness = z.object({ status: z.literal('ok') });
