import { Controller, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { currentTenant, decodeCursor, encodeCursor, isTimeAndId } from '@mooring/platform';
import { LiveEventStatus } from '@mooring/live-events';
import { SyncStatusService } from '@mooring/sync';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { runEventView, syncRunSummaryView, syncRunView, tipView } from './sync-status.dto.js';

const routes = api.installations;

/** What an installation's syncs did: status with tips, history, and each run's event log. */
@Controller()
export class SyncStatusController {
  constructor(
    private readonly status: SyncStatusService,
    private readonly live: LiveEventStatus,
  ) {}

  /** The newest run (or `?runId=`) per resource and phase, its reconciliation, and what to check. */
  @Endpoint(routes.syncStatus)
  async syncStatus(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Query(new ZodPipe(routes.syncStatus.query, 'query')) query: z.output<typeof routes.syncStatus.query>,
  ) {
    const { orgId } = currentTenant();
    const { run, tips } = await this.status.status(orgId, id, query.runId);
    const liveEvents = await this.live.counts(orgId, id);
    return { installationId: id, run: run && syncRunView(run), tips: tips.map(tipView), liveEvents };
  }

  /** Run history, newest first; `next` is the cursor of the following page. */
  @Endpoint(routes.history)
  async history(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Query(new ZodPipe(routes.history.query, 'query')) query: z.output<typeof routes.history.query>,
  ) {
    const after = query.cursor ? decodeCursor(query.cursor, 2, isTimeAndId) : undefined;
    const page = await this.status.history(currentTenant().orgId, id, {
      limit: query.limit,
      ...(after ? { after: { createdAt: new Date(after[0]!), id: after[1]! } } : {}),
    });
    const last = page.items.at(-1);
    return {
      syncs: page.items.map(syncRunSummaryView),
      next: page.hasMore && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /** A run's event log, oldest first. */
  @Endpoint(routes.runEvents)
  async events(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Param('runId', new ZodPipe(uuid, 'path')) runId: string,
    @Query(new ZodPipe(routes.runEvents.query, 'query')) query: z.output<typeof routes.runEvents.query>,
  ) {
    const after = query.cursor ? decodeCursor(query.cursor, 1, ([seq]) => /^\d{1,9}$/.test(seq!)) : undefined;
    const page = await this.status.events(currentTenant().orgId, id, runId, {
      limit: query.limit,
      ...(after ? { afterSeq: after[0]! } : {}),
    });
    const last = page.items.at(-1);
    return { events: page.items.map(runEventView), next: page.hasMore && last ? encodeCursor([last.seq]) : null };
  }
}
