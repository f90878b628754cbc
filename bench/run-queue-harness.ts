import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { PersistenceModule } from '@mooring/persistence';
import { Telemetry } from '@mooring/platform';
import {
  QueueModule,
  SYNC_RUN_CONSUMER_OPTIONS,
  SYNC_RUN_HANDLER,
  SyncRunConsumer,
  type RunAttempt,
  type RunJobOutcome,
  type SyncRunHandler,
  type SyncRunJob,
} from '@mooring/queue';
import { RunsSchedulerModule } from '@mooring/runs/scheduler';
import { benchDatabase } from './bench-database.js';

// What the scheduler and fairness benchmarks share: PostgreSQL (bench-database.ts) and their own
// Redis (unless REDIS_URL is given), seeding in bulk SQL, the scheduler's
// real module, and a run consumer whose "sync" takes a fixed time: they measure scheduling and
// dispatch, not the engine (bench/sync.bench.ts measures that).

const tool = <T>(file: string) => import(pathToFileURL(path.join(process.cwd(), file)).href) as Promise<T>;
const { startLocalRedis } = await tool<typeof import('../tools/lib/local-infra.mjs')>('tools/lib/local-infra.mjs');
const { freePort } = await tool<typeof import('../tools/lib/wait.mjs')>('tools/lib/wait.mjs');

export const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface Infrastructure {
  readonly databaseUrl: string;
  readonly adminUrl: string;
  readonly redisUrl: string;
  close(): Promise<void>;
}

export async function startInfrastructure(): Promise<Infrastructure> {
  const database = await benchDatabase();
  if (!database.adminUrl) throw new Error('with DATABASE_URL, set DATABASE_ADMIN_URL (a superuser on that database) for seeding');
  const given = process.env['REDIS_URL'];
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-bench-redis-'));
  const redis = given ? undefined : await startLocalRedis({ stateDir, port: await freePort(), durable: false, log: () => {} });
  return {
    databaseUrl: database.databaseUrl,
    adminUrl: database.adminUrl,
    redisUrl: given ?? redis!.url,
    async close() {
      await redis?.stop();
      await database.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Organizations and their installations in bulk, as the superuser (seeding is not what is measured). */
export async function seed(
  adminUrl: string,
  plan: ReadonlyArray<{ readonly installations: number; readonly maxConcurrentRuns?: number }>,
): Promise<Array<{ orgId: string; installationIds: string[] }>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const seeded: Array<{ orgId: string; installationIds: string[] }> = [];
    for (const [index, org] of plan.entries()) {
      const [row] = (
        await client.query<{ id: string }>('INSERT INTO organizations (name, max_concurrent_runs) VALUES ($1, $2) RETURNING id', [
          `bench-${index}`,
          org.maxConcurrentRuns ?? 2,
        ])
      ).rows;
      const ids = await client.query<{ id: string }>(
        `INSERT INTO installations (org_id, integration_id, name, auth_method, mapping)
         SELECT $1, 'fake', 'bench-' || n, 'custom_settings', '{"resources":[]}'::jsonb FROM generate_series(1, $2) AS n
         RETURNING id`,
        [row!.id, org.installations],
      );
      seeded.push({ orgId: row!.id, installationIds: ids.rows.map((r) => r.id) });
    }
    return seeded;
  } finally {
    await client.end();
  }
}

export async function adminSql<T extends pg.QueryResultRow>(adminUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export const SIMULATED_RUN = Symbol('SIMULATED_RUN');

/**
 * A worker's run handler whose sync takes `runMs`: it moves the run to running and then completed
 * through the same columns the engine writes, so waits and lags are read from PostgreSQL.
 */
@Injectable()
class SimulatedRunHandler implements SyncRunHandler {
  private readonly pool: pg.Pool;

  constructor(@Inject(SIMULATED_RUN) private readonly options: { adminUrl: string; runMs: number }) {
    this.pool = new pg.Pool({ connectionString: options.adminUrl, max: 8 });
  }

  async handleRun(run: SyncRunJob, _attempt: RunAttempt): Promise<RunJobOutcome> {
    await this.pool.query(`UPDATE sync_runs SET status = 'running', started_at = now(), attempt = attempt + 1 WHERE id = $1`, [
      run.runId,
    ]);
    if (this.options.runMs) await new Promise((resolve) => setTimeout(resolve, this.options.runMs));
    await this.pool.query(`UPDATE sync_runs SET status = 'completed', finished_at = now() WHERE id = $1`, [run.runId]);
    return { kind: 'done' };
  }

  shutdownReason(): Error {
    return new Error('shutdown');
  }

  retryDelayMs(): number {
    return 1_000;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface Contexts {
  readonly scheduler: INestApplicationContext;
  readonly workers: INestApplicationContext[];
  close(): Promise<void>;
}

/** The scheduler's real module and `workers` run consumers (each `concurrency` wide) over simulated runs. */
export async function startScheduling(
  infra: Infrastructure,
  options: { keyPrefix: string; workers: number; concurrency: number; runMs: number; queueTarget: number; pollMs?: number },
): Promise<Contexts> {
  const queue = QueueModule.forRoot({ redisUrl: infra.redisUrl, keyPrefix: options.keyPrefix });
  const persistence = PersistenceModule.forRoot({ url: infra.databaseUrl, poolSize: 10 });
  const telemetry = new Telemetry('bench');

  @Module({
    imports: [
      persistence,
      queue,
      RunsSchedulerModule.forRoot({
        pollMs: options.pollMs ?? 200,
        queueTarget: options.queueTarget,
        requeueAfterSeconds: 3600,
        scheduleCheckSeconds: 3600,
        maxAttempts: 1,
        tickConcurrency: 32,
        meter: telemetry.meter,
      }),
    ],
  })
  class SchedulerBenchModule {}

  @Module({
    imports: [persistence, queue],
    providers: [
      { provide: SIMULATED_RUN, useValue: { adminUrl: infra.adminUrl, runMs: options.runMs } },
      { provide: SYNC_RUN_CONSUMER_OPTIONS, useValue: { concurrency: options.concurrency, lockDurationMs: 30_000 } },
      SimulatedRunHandler,
      { provide: SYNC_RUN_HANDLER, useExisting: SimulatedRunHandler },
      SyncRunConsumer,
    ],
  })
  class WorkerBenchModule {}

  const scheduler = await NestFactory.createApplicationContext(SchedulerBenchModule, { logger: false });
  const workers: INestApplicationContext[] = [];
  for (let i = 0; i < options.workers; i++) {
    const worker = await NestFactory.createApplicationContext(WorkerBenchModule, { logger: false });
    worker.get(SyncRunConsumer).start();
    workers.push(worker);
  }
  return {
    scheduler,
    workers,
    async close() {
      for (const worker of workers) {
        await worker.close();
        await worker.get(SimulatedRunHandler).close();
      }
      await scheduler.close();
    },
  };
}
