import { Injectable } from '@nestjs/common';
import { storableText } from '@mooring/platform';
import { Database } from '../database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type {
  ErrorSample,
  ResourceCounts,
  ResourceFinish,
  ResourceStart,
  RunFinish,
  SyncRunRecord,
  SyncRunResourceRecord,
} from '../sync-records.js';
import { storableJson, storableValue } from '../storable-json.js';
import { ACTIVE, WITH_RESOURCES, toResourceRecord, toRunRecord } from './sync-run-rows.js';

/**
 * The run ledger: one row per run, one per mapping resource, in a persisted state machine
 * (pending → running → completed | failed | aborted), through the tenant's Prisma transaction
 * (its model API, and tagged SQL where a statement needs locking or counting). Reads for the API are
 * `SyncRunHistoryRepository`'s, the event log `SyncRunEventRepository`'s, pruning
 * `SyncRunRetentionRepository`'s.
 */
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
      tx.syncRun.findFirst({ where: { orgId, id: runId }, include: WITH_RESOURCES }),
    );
    return row && toRunRecord(row);
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
    await this.db.inTenant(
      orgId,
      (tx) => tx.$executeRaw`
        UPDATE sync_run_resources SET error_samples = error_samples || ${storableJson(samples)}::jsonb
         WHERE org_id = ${orgId}::uuid AND run_id = ${runId}::uuid AND resource_index = ${resourceIndex}`,
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
