import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import type { Page } from '../records.js';
import type { InstallationSyncOverview, SyncRunRecord, SyncRunStatus, SyncRunTotals } from '../sync-records.js';
import { WITH_RESOURCES, toRunRecord } from './sync-run-rows.js';

/**
 * What the API reads of an installation's runs: the latest one, the history, the data-sources
 * overview. Reads only; the run's state machine is `SyncRunRepository`.
 */
@Injectable()
export class SyncRunHistoryRepository {
  constructor(private readonly db: Database) {}

  /** Newest first; `before` is the createdAt of the last run of the previous page. */
  async list(orgId: string, installationId: string, options: { limit: number; before?: Date }): Promise<SyncRunRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findMany({
        where: { orgId, installationId, ...(options.before ? { createdAt: { lt: options.before } } : {}) },
        orderBy: { createdAt: 'desc' },
        take: options.limit,
        include: WITH_RESOURCES,
      }),
    );
    return rows.map(toRunRecord);
  }

  /** The installation's newest run, whatever its status. */
  async latest(orgId: string, installationId: string): Promise<SyncRunRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findFirst({
        // A skipped due time is no run: it shows in the history, not as the latest status.
        where: { orgId, installationId, status: { not: 'skipped' } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        include: WITH_RESOURCES,
      }),
    );
    return row && toRunRecord(row);
  }

  /** The installation's runs, newest first, keyset-paginated on (created_at, id). */
  async history(
    orgId: string,
    installationId: string,
    query: { limit: number; after?: { createdAt: Date; id: string } },
  ): Promise<Page<SyncRunRecord>> {
    const after = query.after;
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findMany({
        where: {
          orgId,
          installationId,
          ...(after
            ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
            : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
        include: WITH_RESOURCES,
      }),
    );
    return { items: rows.slice(0, query.limit).map(toRunRecord), hasMore: rows.length > query.limit };
  }

  /**
   * The data-sources overview of several installations in three statements whatever their number:
   * each one's last ended run with its totals, its active run, and the entities it owns by blueprint.
   */
  async overview(orgId: string, installationIds: readonly string[]): Promise<Map<string, InstallationSyncOverview>> {
    const result = new Map<string, InstallationSyncOverview>(
      installationIds.map((id) => [id, { lastRun: null, activeRun: null, entities: { total: 0, byBlueprint: {} } }]),
    );
    if (!installationIds.length) return result;
    const ids = [...installationIds];
    const [last, active, entities] = await this.db.inTenantSql(orgId, async (client) => [
      await client.query<OverviewLastRow>(
        `SELECT i.id AS installation_id, r.id, r.status, r.trigger, r.started_at, r.finished_at, r.error_code, r.deleted,
                t.fetched, t.transformed, t.filtered_out, t.ingested, t.not_changed, t.failed
           FROM unnest($2::uuid[]) AS i(id)
           CROSS JOIN LATERAL (
             SELECT * FROM sync_runs s
              WHERE s.org_id = $1 AND s.installation_id = i.id AND s.status IN ('completed', 'failed', 'aborted')
              ORDER BY s.created_at DESC, s.id DESC LIMIT 1) r
           CROSS JOIN LATERAL (
             SELECT coalesce(sum(fetched), 0)::int AS fetched, coalesce(sum(transformed), 0)::int AS transformed,
                    coalesce(sum(filtered_out), 0)::int AS filtered_out, coalesce(sum(ingested), 0)::int AS ingested,
                    coalesce(sum(not_changed), 0)::int AS not_changed,
                    coalesce(sum(fetch_failed + transform_failed + ingest_failed), 0)::int AS failed
               FROM sync_run_resources x WHERE x.org_id = $1 AND x.run_id = r.id) t`,
        [orgId, ids],
      ),
      await client.query<{
        installation_id: string;
        id: string;
        status: SyncRunStatus;
        created_at: Date;
        started_at: Date | null;
      }>(
        `SELECT DISTINCT ON (installation_id) installation_id, id, status, created_at, started_at
           FROM sync_runs
          WHERE org_id = $1 AND installation_id = ANY($2::uuid[]) AND status IN ('pending', 'running')
          ORDER BY installation_id, created_at DESC, id DESC`,
        [orgId, ids],
      ),
      await client.query<{ installation_id: string; blueprint: string; n: number }>(
        `SELECT installation_id, blueprint, count(*)::int AS n
           FROM entities
          WHERE org_id = $1 AND installation_id = ANY($2::uuid[])
          GROUP BY installation_id, blueprint
          ORDER BY installation_id, blueprint`,
        [orgId, ids],
      ),
    ]);
    const entry = (id: string) => result.get(id)!;
    for (const row of last.rows) {
      const totals: SyncRunTotals = {
        fetched: row.fetched,
        transformed: row.transformed,
        filteredOut: row.filtered_out,
        ingested: row.ingested,
        notChanged: row.not_changed,
        failed: row.failed,
        deleted: row.deleted,
      };
      result.set(row.installation_id, {
        ...entry(row.installation_id),
        lastRun: {
          id: row.id,
          status: row.status,
          trigger: row.trigger,
          startedAt: row.started_at,
          finishedAt: row.finished_at,
          errorCode: row.error_code,
          totals,
        },
      });
    }
    for (const row of active.rows) {
      result.set(row.installation_id, {
        ...entry(row.installation_id),
        activeRun: { id: row.id, status: row.status, createdAt: row.created_at, startedAt: row.started_at },
      });
    }
    for (const row of entities.rows) {
      const current = entry(row.installation_id);
      result.set(row.installation_id, {
        ...current,
        entities: {
          total: current.entities.total + row.n,
          byBlueprint: { ...current.entities.byBlueprint, [row.blueprint]: row.n },
        },
      });
    }
    return result;
  }
}

interface OverviewLastRow {
  installation_id: string;
  id: string;
  status: SyncRunStatus;
  trigger: string;
  started_at: Date | null;
  finished_at: Date | null;
  error_code: string | null;
  deleted: number;
  fetched: number;
  transformed: number;
  filtered_out: number;
  ingested: number;
  not_changed: number;
  failed: number;
}
