import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { DomainError, type ReadinessCheck } from '@mooring/platform';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** How long a booting process waits for an unreachable PostgreSQL; 60 s unless set. */
  readonly bootWaitSeconds?: number;
}

/** A Prisma transaction bound to one organization by row-level security. */
export type TenantTx = Prisma.TransactionClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DEFAULT_BOOT_WAIT_SECONDS = 60;
/** Errors meaning PostgreSQL is not reachable yet, rather than refusing us. */
const NOT_YET_REACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P03', '57P01', '08006', '08001']);

/**
 * The process's one connection pool, shared by Prisma and by the raw SQL of bulk paths.
 * All tenant data is reached through `inTenant`, which sets the organization for the transaction
 * (`set_config(..., true)`), so row-level security scopes every statement inside it, including
 * any query that forgets its own org filter.
 */
@Injectable()
export class Database implements OnModuleInit, OnModuleDestroy, ReadinessCheck {
  readonly name = 'database';
  readonly pool: pg.Pool;
  readonly prisma: PrismaClient;
  private readonly bootWaitSeconds: number;

  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    this.bootWaitSeconds = options.bootWaitSeconds ?? DEFAULT_BOOT_WAIT_SECONDS;
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, application_name: 'mooring' });
    // An idle client losing its server must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => {});
    this.prisma = new PrismaClient({ adapter: new PrismaPg(this.pool) });
  }

  /**
   * Waits out a PostgreSQL that is restarting (a process may boot during an outage); a wrong role
   * fails at once, and a server still unreachable after the boot wait fails with DEPENDENCY_UNAVAILABLE
   * (one line in the log, no stack: the cause is the outage, not our code).
   */
  async onModuleInit(): Promise<void> {
    const logger = new Logger('Database');
    const deadline = Date.now() + this.bootWaitSeconds * 1000;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        return await this.assertUnprivilegedRole();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !NOT_YET_REACHABLE.has(code)) throw error;
        if (Date.now() + delayMs > deadline) {
          throw new DomainError(
            'DEPENDENCY_UNAVAILABLE',
            `PostgreSQL was not reachable within ${this.bootWaitSeconds} s (${code}): check that it is running and that DATABASE_URL names its host and port`,
            {},
            { cause: error },
          );
        }
        logger.warn(`PostgreSQL is not reachable yet (${code}); trying again in ${delayMs} ms`);
        await sleep(delayMs);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.prisma.$disconnect();
    await this.pool.end();
  }

  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Runs `fn` in a transaction that can see only `orgId`'s rows. */
  async inTenant<T>(orgId: string, fn: (tx: TenantTx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    assertOrgId(orgId);
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT set_config('mooring.org_id', ${orgId}, true)`;
        return fn(tx);
      },
      { timeout: options.timeoutMs ?? 10_000, maxWait: 5_000 },
    );
  }

  /**
   * Like `inTenant`, with a raw pg client for bulk statements Prisma cannot express (unnest, COPY).
   * A connection that drops while checked out (a terminated backend, a server restart) fails this
   * transaction only: its error is caught here rather than crashing the process, and the broken
   * client is discarded instead of going back to the pool.
   */
  async inTenantSql<T>(orgId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    assertOrgId(orgId);
    const client = await this.pool.connect();
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('mooring.org_id', $1, true)", [orgId]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!lost) await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(lost);
    }
  }

  /**
   * Refuses to run as a role that row-level security would not bind: a superuser, a BYPASSRLS
   * role, or one that owns (or is a member of the owner of) the tables.
   */
  private async assertUnprivilegedRole(): Promise<void> {
    const { rows } = await this.pool.query<{ role: string; rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
      `SELECT r.rolname AS role, r.rolsuper, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                  AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const row = rows[0];
    if (!row) throw new DomainError('CONFIG_INVALID', 'DATABASE_URL: cannot read the connected role');
    const problems = [
      row.rolsuper && 'is a superuser',
      row.rolbypassrls && 'has BYPASSRLS',
      row.owned > 0 && `owns ${row.owned} table(s)`,
    ].filter(Boolean);
    if (problems.length) {
      throw new DomainError(
        'CONFIG_INVALID',
        `DATABASE_URL: role "${row.role}" ${problems.join(', ')}; connect as the app role (mooring_app), which row-level security binds`,
      );
    }
  }
}

function assertOrgId(orgId: string): void {
  if (!UUID.test(orgId)) throw new Error(`not an organization id: ${JSON.stringify(orgId)}`);
}
