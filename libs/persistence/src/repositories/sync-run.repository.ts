import { Injectable } from '@nestjs/common';
import { storableText } from '@mooring/platform';
import { Database } from '../database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Page } from '../records.js';
import {
  DEFAULT_RUN_RETENTION,
  type DeletionDecision,
  type ErrorSample,
  type InstallationSyncOverview,
  type NewSyncRunEvent,
  type ResourceCounts,
  type ResourceFinish,
  type ResourceStart,
  type RunFinish,
  type RunRetention,
  type SyncRunEventLevel,
  type SyncRunEventRecord,
  type SyncRunRecord,
  type SyncRunResourceRecord,
  type SyncRunStatus,
  type SyncRunTotals,
} from '../sync-records.js';
import { storableJson, storableValue } from '../storable-json.js';

const ACTIVE: SyncRunStatus[] = ['pending', 'running'];

/** The run ledger: one row per run, one per mapping resource, in a persisted state machine. */
@Injectable()
export class SyncRunRepository {
  constructor(private readonly db: Database) {}

  /** A pending run, as the scheduler or the api creates it before enqueueing its id. */
  async create(
    orgId: string,
    installationId: string,
    trigger: string,
    options: { acceptFetchDrop?: boolean } = {},
  ): Promise<SyncRunRecord> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.create({
        data: { orgId, installationId, trigger, acceptFetchDrop: options.acceptFetchDrop ?? false },
        include: { resources: true },
      }),
    );
    return toRunRecord(row);
  }

  async find(orgId: string, runId: string): Promise<SyncRunRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findFirst({ where: { orgId, id: runId }, include: { resources: { orderBy: { resourceIndex: 'asc' } } } }),
    );
    return row && toRunRecord(row);
  }

  /** Newest first; `before` is the createdAt of the last run of the previous page. */
  async list(orgId: string, installationId: string, options: { limit: number; before?: Date }): Promise<SyncRunRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findMany({
        where: { orgId, installationId, ...(options.before ? { createdAt: { lt: options.before } } : {}) },
        orderBy: { createdAt: 'desc' },
        take: options.limit,
        include: { resources: { orderBy: { resourceIndex: 'asc' } } },
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
        include: { resources: { orderBy: { resourceIndex: 'asc' } } },
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
        include: { resources: { orderBy: { resourceIndex: 'asc' } } },
      }),
    );
    return { items: rows.slice(0, query.limit).map(toRunRecord), hasMore: rows.length > query.limit };
  }

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

  /** Appends entries to a run's event log, in order, in one statement. */
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

  /**
   * Starts (or restarts, after a crashed attempt) a run: running, one more attempt. A restart with
   * the same mapping keeps what the crashed attempt completed (resources, with the keys they staged
   * and the entities they parked) and returns those resources, so they are not fetched again;
   * everything else starts over. A completed resource is kept only while every key it staged is
   * still there (`keysLost` says when some were not: then everything starts over), since
   * reconciliation deletes what the kept keys do not cover. Returns null when the run already
   * ended, so a replayed job does nothing.
   */
  async begin(
    orgId: string,
    runId: string,
    mappingHash: string,
    resources: readonly ResourceStart[],
  ): Promise<{ attempt: number; completed: SyncRunResourceRecord[]; keysLost: boolean } | null> {
    return this.db.inTenant(
      orgId,
      async (tx) => {
        const previous = await tx.$queryRaw<Array<{ mapping_hash: string | null }>>`
          SELECT mapping_hash FROM sync_runs
           WHERE org_id = ${orgId}::uuid AND id = ${runId}::uuid AND status IN ('pending', 'running') FOR UPDATE`;
        if (!previous[0]) return null;
        const [run] = await tx.$queryRaw<Array<{ attempt: number }>>`
          UPDATE sync_runs SET status = 'running', attempt = attempt + 1, started_at = coalesce(started_at, now()),
                 mapping_hash = ${mappingHash}
           WHERE org_id = ${orgId}::uuid AND id = ${runId}::uuid
          RETURNING attempt`;
        const finished =
          previous[0].mapping_hash === mappingHash
            ? await tx.syncRunResource.findMany({
                where: { orgId, runId, status: 'completed' },
                orderBy: { resourceIndex: 'asc' },
              })
            : [];
        const staged = finished.length
          ? await tx.$queryRaw<Array<{ resource_index: number; n: number }>>`
              SELECT resource_index, count(*)::int AS n FROM sync_seen_keys
               WHERE org_id = ${orgId}::uuid AND run_id = ${runId}::uuid GROUP BY resource_index`
          : [];
        const stagedBy = new Map(staged.map((row) => [row.resource_index, row.n]));
        const keysLost = finished.some(
          (resource) => resource.seenKeys === null || (stagedBy.get(resource.resourceIndex) ?? 0) < resource.seenKeys,
        );
        const completed = keysLost ? [] : finished;
        const kept = completed.map((resource) => resource.resourceIndex);
        // Keys the crashed attempt staged for resources it did not finish stay too: they can only
        // keep an entity from deletion in this run, never delete one.
        if (!kept.length) await tx.syncSeenKey.deleteMany({ where: { orgId, runId } });
        await tx.syncPendingEntity.deleteMany({ where: { orgId, runId, resourceIndex: { notIn: kept } } });
        await tx.syncRunResource.deleteMany({ where: { orgId, runId, resourceIndex: { notIn: kept } } });
        await tx.syncRunResource.createMany({
          data: resources.filter((r) => !kept.includes(r.resourceIndex)).map((resource) => ({ orgId, runId, ...resource })),
        });
        return { attempt: run!.attempt, completed: completed.map(toResourceRecord), keysLost };
      },
      { timeoutMs: 60_000 },
    );
  }

  /**
   * The worker running the run holds it until `seconds` from now (its heartbeat renews this): until
   * then no sweep takes the run for lost, whatever became of its queue job.
   */
  async renewLease(orgId: string, runId: string, seconds: number): Promise<void> {
    await this.db.inTenant(
      orgId,
      (tx) =>
        tx.$executeRaw`
        UPDATE sync_runs SET lease_until = now() + make_interval(secs => ${seconds})
         WHERE org_id = ${orgId}::uuid AND id = ${runId}::uuid AND status IN ('pending', 'running')`,
    );
  }

  async startResource(orgId: string, runId: string, resourceIndex: number): Promise<void> {
    await this.db.inTenant(orgId, (tx) =>
      tx.syncRunResource.updateMany({
        where: { orgId, runId, resourceIndex },
        data: { status: 'running', startedAt: new Date() },
      }),
    );
  }

  /** Progress while a resource runs, so the status API shows live counts. */
  async recordProgress(orgId: string, runId: string, resourceIndex: number, counts: ResourceCounts): Promise<void> {
    await this.db.inTenant(orgId, (tx) =>
      tx.syncRunResource.updateMany({ where: { orgId, runId, resourceIndex }, data: { ...counts } }),
    );
  }

  /** Ends a resource; a completed one records how many keys it staged, for a later attempt to check. */
  async finishResource(orgId: string, runId: string, resourceIndex: number, finish: ResourceFinish): Promise<void> {
    await this.db.inTenant(orgId, async (tx) => {
      const [staged] =
        finish.status === 'completed'
          ? await tx.$queryRaw<Array<{ n: number }>>`
              SELECT count(*)::int AS n FROM sync_seen_keys
               WHERE org_id = ${orgId}::uuid AND run_id = ${runId}::uuid AND resource_index = ${resourceIndex}`
          : [];
      await tx.syncRunResource.updateMany({
        where: { orgId, runId, resourceIndex },
        data: {
          ...finish.counts,
          status: finish.status,
          errorSamples: storableValue(finish.errorSamples) as unknown as Prisma.InputJsonValue,
          error: finish.error === undefined || finish.error === null ? finish.error : storableText(finish.error),
          finishedAt: new Date(),
          seenKeys: staged?.n ?? null,
        },
      });
    });
  }

  /** Adds failures found after the resource finished (entities that failed reingestion). */
  async appendErrorSamples(orgId: string, runId: string, resourceIndex: number, samples: readonly ErrorSample[]): Promise<void> {
    if (!samples.length) return;
    await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `UPDATE sync_run_resources SET error_samples = error_samples || $4::jsonb
          WHERE org_id = $1 AND run_id = $2 AND resource_index = $3`,
        [orgId, runId, resourceIndex, storableJson(samples)],
      ),
    );
  }

  /**
   * Ends the run if it is still active and, when `attempt` is given, still that attempt's (a worker
   * that lost its job to another cannot end the newer attempt's run), and drops its staged keys and
   * pending entities. `deleted` is not written: deletions add to it as they commit. Returns whether
   * it ended the run.
   */
  async finish(orgId: string, runId: string, finish: RunFinish, attempt?: number): Promise<boolean> {
    const r = finish.reconciliation;
    return this.db.inTenant(
      orgId,
      async (tx) => {
        const { count } = await tx.syncRun.updateMany({
          where: { orgId, id: runId, status: { in: ACTIVE }, ...(attempt === undefined ? {} : { attempt }) },
          data: {
            status: finish.status,
            finishedAt: new Date(),
            errorCode: finish.errorCode ?? null,
            errorMessage: finish.errorMessage ? storableText(finish.errorMessage) : null,
            reingested: r.reingested,
            reingestFailed: r.reingestFailed,
            deleteFailed: r.deleteFailed,
            reconcileMs: r.reconcileMs,
            deletionDecision: r.deletionDecision,
            deletionReason: r.deletionReason,
            deletionDetails: r.deletionDetails ?? undefined,
            fetchBaseline: finish.status === 'completed' && finish.fetchBaseline === true,
          },
        });
        if (!count) return false;
        // Resources that never got to run end with the run (e.g. aborted before their turn).
        await tx.syncRunResource.updateMany({
          where: { orgId, runId, status: { in: ACTIVE } },
          data: { status: finish.status === 'completed' ? 'failed' : finish.status, finishedAt: new Date() },
        });
        await tx.syncSeenKey.deleteMany({ where: { orgId, runId } });
        await tx.syncPendingEntity.deleteMany({ where: { orgId, runId } });
        return true;
      },
      { timeoutMs: 60_000 },
    );
  }

  /**
   * What each resource (by `kind-index`) fetched in the installation's last run whose counts passed
   * the drop rules (`fetchBaseline`) before this one: the baseline of the drop guard.
   */
  async lastTrustedFetched(orgId: string, installationId: string, excludeRunId: string): Promise<Map<string, number>> {
    const last = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findFirst({
        where: { orgId, installationId, status: 'completed', fetchBaseline: true, id: { not: excludeRunId } },
        orderBy: { createdAt: 'desc' },
        include: { resources: true },
      }),
    );
    return new Map((last?.resources ?? []).map((r) => [`${r.kind}-${r.resourceIndex}`, r.fetched]));
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

type RunRow = Prisma.SyncRunGetPayload<{ include: { resources: true } }>;

function toRunRecord(row: RunRow): SyncRunRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    installationId: row.installationId,
    status: row.status,
    trigger: row.trigger,
    attempt: row.attempt,
    mappingHash: row.mappingHash,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    scheduledFor: row.scheduledFor,
    dispatchedAt: row.dispatchedAt,
    skippedFor: row.skippedFor,
    acceptFetchDrop: row.acceptFetchDrop,
    reingested: row.reingested,
    reingestFailed: row.reingestFailed,
    deleted: row.deleted,
    deleteFailed: row.deleteFailed,
    reconcileMs: row.reconcileMs,
    deletionDecision: row.deletionDecision as DeletionDecision | null,
    deletionReason: row.deletionReason,
    deletionDetails: row.deletionDetails,
    resources: row.resources.map(toResourceRecord),
  };
}

function toResourceRecord(row: RunRow['resources'][number]): SyncRunResourceRecord {
  return {
    resourceIndex: row.resourceIndex,
    kind: row.kind,
    blueprint: row.blueprint,
    status: row.status,
    fetched: row.fetched,
    fetchFailed: row.fetchFailed,
    transformed: row.transformed,
    filteredOut: row.filteredOut,
    transformFailed: row.transformFailed,
    ingested: row.ingested,
    notChanged: row.notChanged,
    ingestFailed: row.ingestFailed,
    extractMs: row.extractMs,
    transformMs: row.transformMs,
    loadMs: row.loadMs,
    errorSamples: row.errorSamples as unknown as ErrorSample[],
    error: row.error,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
