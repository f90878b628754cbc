import { Injectable } from '@nestjs/common';
import { storableText } from '@mooring/platform';
import { Database } from '../database.js';
import type { Page } from '../records.js';
import type { NewSyncRunEvent, SyncRunEventLevel, SyncRunEventRecord } from '../sync-records.js';
import { storableJson } from '../storable-json.js';

/** Runs' event logs (`sync_run_events`): what the engine and the worker append, what the API reads. */
@Injectable()
export class SyncRunEventRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends to a run's event log, numbered 1, 2, 3… within the run: appenders of one run (the
   * engine, the worker) take turns on a transaction-scoped advisory lock of the run.
   */
  async appendEvents(orgId: string, runId: string, events: readonly NewSyncRunEvent[]): Promise<void> {
    if (!events.length) return;
    await this.db.inTenantSql(orgId, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('sync_run_events:' || $1::text, 0))`, [runId]);
      await client.query(
        `INSERT INTO sync_run_events (org_id, run_id, seq, level, type, message, details)
         SELECT $1, $2, (SELECT coalesce(max(seq), 0) FROM sync_run_events WHERE org_id = $1 AND run_id = $2) + t.n,
                t.level, t.type, t.message, t.details
           FROM unnest($3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY AS t(level, type, message, details, n)`,
        [
          orgId,
          runId,
          events.map((event) => event.level),
          events.map((event) => event.type),
          events.map((event) => storableText(event.message)),
          events.map((event) => storableJson(event.details ?? {})),
        ],
      );
    });
  }

  /** A run's event log, oldest first, keyset-paginated on seq. */
  async events(orgId: string, runId: string, query: { limit: number; afterSeq?: string }): Promise<Page<SyncRunEventRecord>> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.syncRunEvent.findMany({
        where: { orgId, runId, ...(query.afterSeq !== undefined ? { seq: { gt: Number(query.afterSeq) } } : {}) },
        orderBy: { seq: 'asc' },
        take: query.limit + 1,
      }),
    );
    const items = rows.slice(0, query.limit).map((row) => ({
      seq: row.seq.toString(),
      runId: row.runId,
      occurredAt: row.occurredAt,
      level: row.level as SyncRunEventLevel,
      type: row.type,
      message: row.message,
      details: row.details as Record<string, unknown>,
    }));
    return { items, hasMore: rows.length > query.limit };
  }
}
