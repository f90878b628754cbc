import { AUDIT_ACTIONS } from '@mooring/contract';
import { currentRequestScope } from '@mooring/platform';
import type { TenantTx } from './database.js';
import type { Prisma } from './generated/prisma/client.js';

export { AUDIT_ACTIONS };

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  readonly action: AuditAction;
  readonly targetType: string;
  readonly targetId: string;
  /** What changed, for people reading the trail. Never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Who did it, when not the request's principal (a person accepting an invitation is not signed in yet). */
  readonly actor?: { readonly kind: 'user' | 'api_client'; readonly id: string; readonly name: string };
}

/**
 * Records an audit event inside the transaction that makes the change, so the trail cannot miss a
 * change nor record one that rolled back. The actor and request come from the request scope;
 * without one (a CLI, a background job) the actor is Mooring itself.
 */
export async function writeAudit(tx: TenantTx, orgId: string, entry: AuditEntry): Promise<void> {
  const scope = currentRequestScope();
  const principal = entry.actor ?? scope?.tenant?.principal;
  await tx.auditEvent.create({
    data: {
      orgId,
      actorKind: principal?.kind ?? 'system',
      actorId: principal?.id ?? 'mooring',
      actorName: principal ? (principal.name ?? null) : 'Mooring',
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
      requestId: scope?.requestId ?? null,
    },
  });
}
