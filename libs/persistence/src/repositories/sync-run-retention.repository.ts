import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import { DEFAULT_RUN_RETENTION, type RunRetention } from '../sync-records.js';

/** How long run history stays (the scheduler's hourly pruner). */
@Injectable()
export class SyncRunRetentionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Prunes run history (an installation's, or every installation's of the organization): an ended
   * run goes when it ended more than `maxAgeDays` ago AND is not among its installation's
   * `keepNewest` newest runs. Active runs always stay. Resources and events go with their run.
   * One statement; returns how many runs were deleted.
   */
  async prune(orgId: string, options: { installationId?: string; retention?: RunRetention; now?: Date } = {}): Promise<number> {
    const { maxAgeDays, keepNewest } = options.retention ?? DEFAULT_RUN_RETENTION;
    const cutoff = new Date((options.now ?? new Date()).getTime() - maxAgeDays * 86_400_000);
    const { rowCount } = await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `WITH ranked AS (
           SELECT id, status, coalesce(finished_at, created_at) AS ended_at,
                  row_number() OVER (PARTITION BY installation_id ORDER BY created_at DESC, id DESC) AS newest
             FROM sync_runs
            WHERE org_id = $1 AND ($2::uuid IS NULL OR installation_id = $2::uuid)
         )
         DELETE FROM sync_runs r USING ranked
          WHERE r.org_id = $1 AND r.id = ranked.id
            AND ranked.newest > $3 AND ranked.ended_at < $4
            AND ranked.status IN ('completed', 'failed', 'aborted', 'skipped')`,
        [orgId, options.installationId ?? null, keepNewest, cutoff],
      ),
    );
    return rowCount ?? 0;
  }
}
