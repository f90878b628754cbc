import { Controller, Query } from '@nestjs/common';
import type { z } from 'zod';
import { api } from '@mooring/contract';
import { currentTenant, decodeCursor, encodeCursor, isTimeAndId } from '@mooring/platform';
import { AuditRepository } from '@mooring/persistence';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

const route = api.organization.auditLog;

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  /** Who changed what, newest first; `next` is the cursor of the following page. */
  @Endpoint(route)
  async list(@Query(new ZodPipe(route.query, 'query')) query: z.output<typeof route.query>) {
    const after = query.cursor ? decodeCursor(query.cursor, 2, isTimeAndId) : undefined;
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
