import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type {
  DeletionDecision,
  ErrorSample,
  ResourceCounts,
  ResourceFinish,
  ResourceStart,
  RunFinish,
  SyncRunRecord,
  SyncRunResourceRecord,
  SyncRunStatus,
} from '../sync-records.js';

const ACTIVE: SyncRunStatus[] = ['pending', 'running'];

/** The run ledger: one row per run, one per mapping resource, in a persisted state machine. */
@Injectable()
export class SyncRunRepository {
  constructor(private readonly db: Database) {}

  /** A pending run, as the scheduler or the api creates it before enqueueing its id. */
  async create(orgId: string, installationId: string, trigger: string): Promise<SyncRunRecord> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.create({ data: { orgId, installationId, trigger }, include: { resources: true } }),
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

  /**
   * Starts (or restarts, after a crashed attempt) a run: running, one more attempt. A restart with
   * the same mapping keeps what the crashed attempt completed (resources, with the keys they staged
   * and the entities they parked) and returns those resources, so they are not fetched again;
   * everything else starts over. Returns null when the run already ended, so a replayed job does
   * nothing.
   */
  async begin(
    orgId: string,
    runId: string,
    mappingHash: string,
    resources: readonly ResourceStart[],
  ): Promise<{ attempt: number; completed: SyncRunResourceRecord[] } | null> {
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
        const completed =
          previous[0].mapping_hash === mappingHash
            ? await tx.syncRunResource.findMany({
                where: { orgId, runId, status: 'completed' },
                orderBy: { resourceIndex: 'asc' },
              })
            : [];
        const kept = completed.map((resource) => resource.resourceIndex);
        // Keys the crashed attempt staged for resources it did not finish stay too: they can only
        // keep an entity from deletion in this run, never delete one.
        if (!kept.length) await tx.syncSeenKey.deleteMany({ where: { orgId, runId } });
        await tx.syncPendingEntity.deleteMany({ where: { orgId, runId, resourceIndex: { notIn: kept } } });
        await tx.syncRunResource.deleteMany({ where: { orgId, runId, resourceIndex: { notIn: kept } } });
        await tx.syncRunResource.createMany({
          data: resources.filter((r) => !kept.includes(r.resourceIndex)).map((resource) => ({ orgId, runId, ...resource })),
        });
        return { attempt: run!.attempt, completed: completed.map(toResourceRecord) };
      },
      { timeoutMs: 60_000 },
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

  async finishResource(orgId: string, runId: string, resourceIndex: number, finish: ResourceFinish): Promise<void> {
    await this.db.inTenant(orgId, (tx) =>
      tx.syncRunResource.updateMany({
        where: { orgId, runId, resourceIndex },
        data: {
          ...finish.counts,
          status: finish.status,
          errorSamples: finish.errorSamples as unknown as Prisma.InputJsonValue,
          error: finish.error,
          finishedAt: new Date(),
        },
      }),
    );
  }

  /** Adds failures found after the resource finished (entities that failed reingestion). */
  async appendErrorSamples(orgId: string, runId: string, resourceIndex: number, samples: readonly ErrorSample[]): Promise<void> {
    if (!samples.length) return;
    await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `UPDATE sync_run_resources SET error_samples = error_samples || $4::jsonb
          WHERE org_id = $1 AND run_id = $2 AND resource_index = $3`,
        [orgId, runId, resourceIndex, JSON.stringify(samples)],
      ),
    );
  }

  /** Ends the run (only if it is still active) and drops its staged keys and pending entities. */
  async finish(orgId: string, runId: string, finish: RunFinish): Promise<void> {
    const r = finish.reconciliation;
    await this.db.inTenant(
      orgId,
      async (tx) => {
        await tx.syncRun.updateMany({
          where: { orgId, id: runId, status: { in: ACTIVE } },
          data: {
            status: finish.status,
            finishedAt: new Date(),
            errorCode: finish.errorCode ?? null,
            errorMessage: finish.errorMessage ?? null,
            reingested: r.reingested,
            reingestFailed: r.reingestFailed,
            deleted: r.deleted,
            deleteFailed: r.deleteFailed,
            reconcileMs: r.reconcileMs,
            deletionDecision: r.deletionDecision,
            deletionReason: r.deletionReason,
            deletionDetails: r.deletionDetails ?? undefined,
          },
        });
        // Resources that never got to run end with the run (e.g. aborted before their turn).
        await tx.syncRunResource.updateMany({
          where: { orgId, runId, status: { in: ACTIVE } },
          data: { status: finish.status === 'completed' ? 'failed' : finish.status, finishedAt: new Date() },
        });
        await tx.syncSeenKey.deleteMany({ where: { orgId, runId } });
        await tx.syncPendingEntity.deleteMany({ where: { orgId, runId } });
      },
      { timeoutMs: 60_000 },
    );
  }

  /**
   * What each resource (by `kind-index`) fetched in the installation's last completed run before
   * this one: the baseline of the "returned 0 items but had N before" guard.
   */
  async lastCompletedFetched(orgId: string, installationId: string, excludeRunId: string): Promise<Map<string, number>> {
    const last = await this.db.inTenant(orgId, (tx) =>
      tx.syncRun.findFirst({
        where: { orgId, installationId, status: 'completed', id: { not: excludeRunId } },
        orderBy: { createdAt: 'desc' },
        include: { resources: true },
      }),
    );
    return new Map((last?.resources ?? []).map((r) => [`${r.kind}-${r.resourceIndex}`, r.fetched]));
  }
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
