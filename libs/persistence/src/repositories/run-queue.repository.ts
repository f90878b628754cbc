import { Injectable } from '@nestjs/common';
import type { Schedule } from '@mooring/scheduling';
import type { AuditEntry } from '../audit.js';
import { writeAudit } from '../audit.js';
import { Database } from '../database.js';

/** Why a run was asked for: the schedule, a user, or a change that needs a fresh sync. */
export type RunTrigger = 'schedule' | 'manual' | 'installed' | 'mapping_changed' | 'credentials_rotated' | 'follow_up';

/** The outcome of asking for a run: a new pending run, or the run already active. */
export type RunRequest =
  | { readonly outcome: 'created'; readonly runId: string }
  | { readonly outcome: 'active'; readonly runId: string }
  | { readonly outcome: 'not_syncable'; readonly state: string; readonly enabled: boolean }
  | { readonly outcome: 'not_found' };

/** The outcome of a schedule's tick at a due time. */
export type TickOutcome =
  | { readonly outcome: 'created'; readonly runId: string }
  | { readonly outcome: 'skipped'; readonly runId: string; readonly activeRunId: string }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'not_syncable' }
  | { readonly outcome: 'not_found' };

export interface QueuedRun {
  readonly runId: string;
  readonly orgId: string;
  readonly installationId: string;
}

export interface SchedulableInstallation {
  readonly id: string;
  readonly orgId: string;
  readonly schedule: Schedule;
}

export interface RunQueueDepth {
  readonly waiting: number;
  readonly dispatched: number;
  readonly running: number;
  readonly oldestWaitingAt: Date | null;
}

interface RequestRow {
  inserted_id: string | null;
  active_id: string | null;
  enabled: boolean | null;
  state: string | null;
}

/**
 * The life of a run before a worker starts it: asked for (by a user, a change or a schedule tick),
 * waiting for a slot, admitted by the dispatcher. PostgreSQL is the source of truth: a partial
 * unique index keeps one active run per installation, another one run per scheduled due time, so
 * retried requests, replayed ticks and concurrent replicas can never produce a second run.
 */
@Injectable()
export class RunQueueRepository {
  constructor(private readonly db: Database) {}

  /**
   * A pending run for a user or a change, unless one is active (its id comes back instead).
   * `audit`, when given, is written in the same transaction as the run. `acceptFetchDrop`: the run
   * may delete despite the installation's maxFetchDrop.
   */
  async request(
    orgId: string,
    installationId: string,
    trigger: RunTrigger,
    audit?: AuditEntry,
    options: { acceptFetchDrop?: boolean } = {},
  ): Promise<RunRequest> {
    return this.db.inTenant(orgId, async (tx) => {
      const [row] = await tx.$queryRaw<RequestRow[]>`
        WITH target AS (
          SELECT id, enabled, state::text AS state FROM installations WHERE org_id = ${orgId}::uuid AND id = ${installationId}::uuid
        ), inserted AS (
          INSERT INTO sync_runs (org_id, installation_id, trigger, accept_fetch_drop)
          SELECT ${orgId}::uuid, target.id, ${trigger}, ${options.acceptFetchDrop ?? false}
            FROM target WHERE target.enabled AND target.state = 'active'
          ON CONFLICT DO NOTHING
          RETURNING id
        )
        SELECT (SELECT id FROM inserted) AS inserted_id,
               (SELECT r.id FROM sync_runs r WHERE r.org_id = ${orgId}::uuid AND r.installation_id = ${installationId}::uuid
                  AND r.status IN ('pending', 'running')) AS active_id,
               (SELECT enabled FROM target) AS enabled,
               (SELECT state FROM target) AS state`;
      if (!row || row.enabled === null) return { outcome: 'not_found' };
      if (row.inserted_id) {
        if (audit) await writeAudit(tx, orgId, { ...audit, details: { ...audit.details, runId: row.inserted_id, trigger } });
        return { outcome: 'created', runId: row.inserted_id };
      }
      if (row.active_id) return { outcome: 'active', runId: row.active_id };
      return { outcome: 'not_syncable', state: row.state ?? 'unknown', enabled: row.enabled };
    });
  }

  /**
   * A resync asked for while a run is running: the run is marked so that another run follows it
   * (it may have read the installation before the change; a pending run has not read it yet).
   */
  async requestFollowUp(orgId: string, installationId: string, trigger: RunTrigger): Promise<boolean> {
    const count = await this.db.inTenant(
      orgId,
      (tx) =>
        tx.$executeRaw`
        UPDATE sync_runs SET follow_up_trigger = ${trigger}
         WHERE org_id = ${orgId}::uuid AND installation_id = ${installationId}::uuid AND status = 'running'`,
    );
    return count > 0;
  }

  /** After a run ended: the follow-up it was asked for, as a new pending run (at most once). */
  async startFollowUp(orgId: string, runId: string): Promise<RunRequest | null> {
    const taken = await this.db.inTenant(
      orgId,
      (tx) =>
        tx.$queryRaw<Array<{ installation_id: string; follow_up_trigger: string }>>`
        UPDATE sync_runs SET follow_up_trigger = NULL
         WHERE org_id = ${orgId}::uuid AND id = ${runId}::uuid AND follow_up_trigger IS NOT NULL
           AND status NOT IN ('pending', 'running')
        RETURNING installation_id, follow_up_trigger`,
    );
    const [followUp] = taken;
    return followUp ? this.request(orgId, followUp.installation_id, 'follow_up') : null;
  }

  /**
   * A schedule's tick at `dueAt`: a pending run, or a skip recorded against the run still active.
   * A tick seen twice (a replayed job) finds its due time taken and does nothing.
   */
  async recordTick(orgId: string, installationId: string, dueAt: Date): Promise<TickOutcome> {
    // Raw pg rather than a Prisma transaction: ticks arrive hundreds a second at scale.
    return this.db.inTenantSql(orgId, async (client) => {
      const { rows } = await client.query<RequestRow>(
        `WITH target AS (
           SELECT id, enabled, state::text AS state FROM installations WHERE org_id = $1 AND id = $2
         ), inserted AS (
           INSERT INTO sync_runs (org_id, installation_id, trigger, scheduled_for)
           SELECT $1, target.id, 'schedule', $3 FROM target WHERE target.enabled AND target.state = 'active'
           ON CONFLICT DO NOTHING
           RETURNING id
         )
         SELECT (SELECT id FROM inserted) AS inserted_id,
                (SELECT r.id FROM sync_runs r WHERE r.org_id = $1 AND r.installation_id = $2
                   AND r.status IN ('pending', 'running')) AS active_id,
                (SELECT enabled FROM target) AS enabled,
                (SELECT state FROM target) AS state`,
        [orgId, installationId, dueAt],
      );
      const [row] = rows;
      if (!row || row.enabled === null) return { outcome: 'not_found' };
      if (row.inserted_id) return { outcome: 'created', runId: row.inserted_id };
      if (!row.enabled || row.state !== 'active') return { outcome: 'not_syncable' };
      if (!row.active_id) return { outcome: 'duplicate' };
      const skipped = await client.query<{ id: string }>(
        `INSERT INTO sync_runs (org_id, installation_id, trigger, scheduled_for, status, skipped_for, finished_at,
                                error_code, error_message, deletion_decision, deletion_reason)
         VALUES ($1, $2, 'schedule', $3, 'skipped', $4, now(), 'RUN_ACTIVE',
                 'another run of this installation was still active at the due time', 'skipped', 'the run was skipped')
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [orgId, installationId, dueAt, row.active_id],
      );
      const [skip] = skipped.rows;
      return skip ? { outcome: 'skipped', runId: skip.id, activeRunId: row.active_id } : { outcome: 'duplicate' };
    });
  }

  /** Admits waiting runs within each organization's cap, fairly (see the function's migration). */
  async claimForDispatch(queueTarget: number): Promise<QueuedRun[]> {
    const rows = await this.db.prisma.$queryRaw<Array<{ run_id: string; org_id: string; installation_id: string }>>`
      SELECT run_id, org_id, installation_id FROM mooring_system.claim_runs_for_dispatch(${queueTarget}::int)`;
    return rows.map(toQueuedRun);
  }

  /** Admitted runs no worker has started after `olderThanMs`: candidates for enqueueing again. */
  async dispatchedNotStarted(olderThanMs: number): Promise<QueuedRun[]> {
    const rows = await this.db.prisma.$queryRaw<Array<{ run_id: string; org_id: string; installation_id: string }>>`
      SELECT run_id, org_id, installation_id FROM mooring_system.dispatched_runs_not_started(${olderThanMs}::int)`;
    return rows.map(toQueuedRun);
  }

  /**
   * Runs running for longer than `olderThanMs` whose worker no longer holds them (its lease ran
   * out, or it never took one): the sweep checks what became of their job.
   */
  async runningUnheld(olderThanMs: number): Promise<QueuedRun[]> {
    const rows = await this.db.prisma.$queryRaw<Array<{ run_id: string; org_id: string; installation_id: string }>>`
      SELECT run_id, org_id, installation_id FROM mooring_system.running_runs_unheld(${olderThanMs}::int)`;
    return rows.map(toQueuedRun);
  }

  async depth(): Promise<RunQueueDepth> {
    const [row] = await this.db.prisma.$queryRaw<
      Array<{ waiting: bigint; dispatched: bigint; running: bigint; oldest_waiting: Date | null }>
    >`SELECT waiting, dispatched, running, oldest_waiting FROM mooring_system.run_queue_depth()`;
    return {
      waiting: Number(row?.waiting ?? 0),
      dispatched: Number(row?.dispatched ?? 0),
      running: Number(row?.running ?? 0),
      oldestWaitingAt: row?.oldest_waiting ?? null,
    };
  }

  /** Every organization's id, a page at a time, for maintenance across organizations. */
  async organizationIds(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM mooring_system.organization_ids(${after}::uuid, ${limit}::int)`;
    return rows.map((row) => row.id);
  }

  /** Installations that should have a schedule, across organizations, a page at a time by id. */
  async schedulable(after: string | null, limit: number): Promise<SchedulableInstallation[]> {
    const rows = await this.db.prisma.$queryRaw<Array<{ id: string; org_id: string; schedule: Schedule }>>`
      SELECT id, org_id, schedule FROM mooring_system.schedulable_installations(${after}::uuid, ${limit}::int)`;
    return rows.map((row) => ({ id: row.id, orgId: row.org_id, schedule: row.schedule }));
  }
}

function toQueuedRun(row: { run_id: string; org_id: string; installation_id: string }): QueuedRun {
  return { runId: row.run_id, orgId: row.org_id, installationId: row.installation_id };
}
