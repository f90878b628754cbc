import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import type { AuditEventRecord, Page } from '../records.js';

export interface AuditQuery {
  readonly limit: number;
  /** The sort key of the last event of the previous page. */
  readonly after?: { readonly occurredAt: Date; readonly id: string };
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  /** Newest first, keyset-paginated on (occurred_at, id). */
  async list(orgId: string, query: AuditQuery): Promise<Page<AuditEventRecord>> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.auditEvent.findMany({
        where: {
          orgId,
          ...(query.action ? { action: query.action } : {}),
          ...(query.targetType ? { targetType: query.targetType } : {}),
          ...(query.targetId ? { targetId: query.targetId } : {}),
          ...(query.after
            ? {
                OR: [
                  { occurredAt: { lt: query.after.occurredAt } },
                  { occurredAt: query.after.occurredAt, id: { lt: query.after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      }),
    );
    const items = rows.slice(0, query.limit).map((row) => ({
      id: row.id,
      occurredAt: row.occurredAt,
      actor: { kind: row.actorKind, id: row.actorId, name: row.actorName },
      action: row.action,
      target: { type: row.targetType, id: row.targetId },
      details: row.details as Record<string, unknown>,
      requestId: row.requestId,
    }));
    return { items, hasMore: rows.length > query.limit };
  }
}
