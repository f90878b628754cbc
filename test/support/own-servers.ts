import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { deploy } from '../../tools/db-migrate.mjs';
import { startLocalPostgres, startLocalRedis, type LocalPostgres, type LocalRedis } from '../../tools/lib/local-infra.mjs';
import { freePort } from '../../tools/lib/wait.mjs';

// PostgreSQL and Redis servers of one test (or of the chaos suite) alone, so it can crash, stop and
// restart them without disturbing anything else. Importing nothing from vitest: the chaos suite
// uses them too.

/** A migrated PostgreSQL (fsync on, as in production) that can crash and come back. */
export class OwnPostgres {
  private constructor(
    private readonly stateDir: string,
    private readonly port: number,
    private server: LocalPostgres,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-own-pg-'));
    const port = await freePort();
    const server = await startLocalPostgres({ stateDir, port, durable: true, log: () => {} });
    await deploy(server.migrationUrl, { log: () => {} });
    return new OwnPostgres(stateDir, port, server);
  }

  /** As the apps connect: the mooring_app role, bound by row-level security. */
  get appUrl(): string {
    return this.server.databaseUrl;
  }

  /** The superuser, on the app's database: to read what is stored past row-level security. */
  get adminUrl(): string {
    const url = new URL(this.server.adminUrl);
    url.pathname = new URL(this.server.databaseUrl).pathname;
    return url.toString();
  }

  /** `pg_ctl stop -m immediate`: every connection drops, unlogged tables are emptied by recovery. */
  async crash(): Promise<void> {
    await this.server.crash();
  }

  /** Starts the server again on the same port and data (crash recovery runs first). */
  async restart(): Promise<void> {
    this.server = await startLocalPostgres({ stateDir: this.stateDir, port: this.port, durable: true, log: () => {} });
  }

  /** `pg_terminate_backend` on every app connection: each client sees its connection drop. */
  async terminateAppBackends(): Promise<number> {
    const rows = await this.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE usename = 'mooring_app' AND pid <> pg_backend_pid()`,
    );
    return rows.filter((row) => row.terminated).length;
  }

  /** SQL as the superuser on the app's database. */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/**
 * A Redis server with an append-only file, that can stop and come back with or without its data;
 * with `password`, clients must authenticate and `url` carries it.
 */
export class OwnRedis {
  private constructor(
    private readonly stateDir: string,
    readonly port: number,
    private readonly password: string | undefined,
    private server: LocalRedis | null,
  ) {}

  static async start(options: { password?: string } = {}): Promise<OwnRedis> {
    const redis = await OwnRedis.reserve(options);
    await redis.resume({ keepData: true });
    return redis;
  }

  /** Its port and state only: the server starts when `resume` is called (a Redis that comes up late). */
  static async reserve(options: { password?: string } = {}): Promise<OwnRedis> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-own-redis-'));
    return new OwnRedis(stateDir, await freePort(), options.password, null);
  }

  get url(): string {
    const credentials = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `redis://${credentials}127.0.0.1:${this.port}`;
  }

  /** Stops the server (SIGTERM): clients see it go away until `resume` brings it back. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  /** Starts it (again) on its port: with the data it had, or empty, as a Redis without persistence. */
  async resume(options: { keepData: boolean }): Promise<void> {
    if (this.server) throw new Error('Redis is running');
    if (!options.keepData) fs.rmSync(path.join(this.stateDir, 'redis'), { recursive: true, force: true });
    this.server = await startLocalRedis({
      stateDir: this.stateDir,
      port: this.port,
      durable: true,
      ...(this.password ? { password: this.password } : {}),
      log: () => {},
    });
  }

  async restart(options: { keepData: boolean }): Promise<void> {
    await this.stop();
    await this.resume(options);
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
