import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const tool = <T>(file: string) => import(pathToFileURL(path.join(process.cwd(), file)).href) as Promise<T>;
const { startLocalPostgres, startLocalRedis } =
  await tool<typeof import('../tools/lib/local-infra.mjs')>('tools/lib/local-infra.mjs');
const { freePort } = await tool<typeof import('../tools/lib/wait.mjs')>('tools/lib/wait.mjs');

export interface BenchDatabase {
  /** As the apps connect: the mooring_app role, bound by row-level security. */
  readonly databaseUrl: string;
  /** As a superuser, for bulk seeding; from DATABASE_ADMIN_URL when DATABASE_URL is given. */
  readonly adminUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * A benchmark's PostgreSQL: DATABASE_URL's (an app role on a migrated database) when set, else a
 * fresh server in a temporary directory with fsync on, migrated in a process of its own (the WASM
 * schema engine stays out of the process measured). `close` stops and removes what it started.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env['DATABASE_URL'];
  if (given) return { databaseUrl: given, adminUrl: process.env['DATABASE_ADMIN_URL'], close: async () => {} };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-bench-'));
  const postgres = await startLocalPostgres({ stateDir, port: await freePort(), durable: true, log: () => {} });
  const migrate = spawnSync(process.execPath, ['tools/db-migrate.mjs', 'deploy'], {
    env: { ...process.env, DATABASE_MIGRATION_URL: postgres.migrationUrl },
    stdio: 'ignore',
  });
  if (migrate.status !== 0) throw new Error('migrating the benchmark database failed');
  const adminUrl = new URL(postgres.adminUrl);
  adminUrl.pathname = '/mooring';
  return {
    databaseUrl: postgres.databaseUrl,
    adminUrl: adminUrl.toString(),
    async close() {
      await postgres.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface BenchRedis {
  readonly url: string;
  close(): Promise<void>;
}

/** A benchmark's Redis: REDIS_URL's when set, else a fresh server in a temporary directory. */
export async function benchRedis(): Promise<BenchRedis> {
  const given = process.env['REDIS_URL'];
  if (given) return { url: given, close: async () => {} };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-bench-redis-'));
  const redis = await startLocalRedis({ stateDir, port: await freePort(), durable: false, log: () => {} });
  return {
    url: redis.url,
    async close() {
      await redis.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
