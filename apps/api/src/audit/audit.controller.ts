import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { currentTenant, decodeCursor, encodeCursor } from '@mooring/platform';
import { AUDIT_ACTIONS, AuditRepository } from '@mooring/persistence';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
});

@Controller('v1/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  /** Who changed what, newest first; `next` is the cursor of the following page. */
  @Get()
  @Allow('admin')
  async list(@Query(new ZodPipe(auditQuery, 'query')) query: z.output<typeof auditQuery>) {
    const after = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const page = await this.audit.list(currentTenant().orgId, {
      limit: query.limit,
      ...(after ? { after: { occurredAt: new Date(after[0]!), id: after[1]! } } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.targetType ? { targetType: query.targetType } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
    });
    const last = page.items.at(-1);
    return {
      events: page.items.map((event) => ({ ...event, occurredAt: event.occurredAt.toISOString() })),
      next: page.hasMore && last ? encodeCursor([last.occurredAt.toISOString(), last.id]) : null,
    };
  }
}
