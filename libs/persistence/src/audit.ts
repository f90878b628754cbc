import { AUDIT_ACTIONS } from '@mooring/contract';
import { currentRequestScope } from '@mooring/platform';
import type pg from 'pg';
import type { TenantTx } from './database.js';
import type { Prisma } from './generated/prisma/client.js';
import { storableJson } from './storable-json.js';

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
  const { actor, requestId } = auditContext(entry);
  await tx.auditEvent.create({
    data: {
      orgId,
      actorKind: actor.kind,
      actorId: actor.id,
      actorName: actor.name,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
      requestId,
    },
  });
}

/** `writeAudit` for repositories that write with SQL: many entries in one statement, in the caller's transaction. */
export async function writeAuditSql(client: pg.ClientBase, orgId: string, entries: readonly AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  const { actor, requestId } = auditContext(entries[0]!);
  await client.query(
    `INSERT INTO audit_events (org_id, actor_kind, actor_id, actor_name, action, target_type, target_id, details, request_id)
     SELECT $1, $2, $3, $4, t.action, t.target_type, t.target_id, t.details, $5
       FROM unnest($6::text[], $7::text[], $8::text[], $9::jsonb[]) AS t(action, target_type, target_id, details)`,
    [
      orgId,
      actor.kind,
      actor.id,
      actor.name,
      requestId,
      entries.map((entry) => entry.action),
      entries.map((entry) => entry.targetType),
      entries.map((entry) => entry.targetId),
      entries.map((entry) => storableJson(entry.details ?? {})),
    ],
  );
}

function auditContext(entry: AuditEntry) {
  const scope = currentRequestScope();
  const principal = entry.actor ?? scope?.tenant?.principal;
  return {
    actor: {
      kind: principal?.kind ?? 'system',
      id: principal?.id ?? 'mooring',
      name: principal ? (principal.name ?? null) : 'Mooring',
    },
    requestId: scope?.requestId ?? null,
  };
}
