import { Injectable } from '@nestjs/common';
import { storableText } from '@mooring/platform';
import { Database } from '../database.js';
import type { Page } from '../records.js';
import type { NewSyncRunEvent, SyncRunEventLevel, SyncRunEventRecord } from '../sync-records.js';
import { storableJson } from '../storable-json.js';

/**
 * Runs' event logs (`sync_run_events`): what the engine and the worker append, what the API reads.
 * Plain SQL on the tenant's connection.
 */
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
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<EventRow>(
        `SELECT seq, run_id, occurred_at, level, type, message, details FROM sync_run_events
          WHERE org_id = $1 AND run_id = $2 AND ($3::int IS NULL OR seq > $3::int)
          ORDER BY seq LIMIT $4`,
        [orgId, runId, query.afterSeq === undefined ? null : Number(query.afterSeq), query.limit + 1],
      ),
    );
    const items = rows.slice(0, query.limit).map((row) => ({
      seq: row.seq.toString(),
      runId: row.run_id,
      occurredAt: row.occurred_at,
      level: row.level,
      type: row.type,
      message: row.message,
      details: row.details,
    }));
    return { items, hasMore: rows.length > query.limit };
  }
}

interface EventRow {
  seq: number;
  run_id: string;
  occurred_at: Date;
  level: SyncRunEventLevel;
  type: string;
  message: string;
  details: Record<string, unknown>;
}
