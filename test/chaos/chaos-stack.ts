import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { FakeToolServer, fakeIntegration } from '@mooring/integrations/testing';
import { OwnPostgres, OwnRedis } from '../support/own-servers.js';
import { AppStack } from '../support/app-stack.js';
import { waitForHttp, type AppProcess } from '../support/processes.js';

// The production topology for the chaos suite: the built api, one scheduler and two workers as
// processes, over a PostgreSQL and a Redis of the suite's own (so it can crash and restart them),
// syncing the fake tool on loopback. Timings are short so faults are recovered from in seconds.

export const TOOL_TOKEN = 'fake-tool-token-chaos-0123456789';
/** Items per kind at most; the source removes and restores items within a quarter of this. */
export const NOMINAL = { team: 5, service: 40, deployment: 250 } as const;
export const PAGE_SIZE = 25;
export const MAX_ATTEMPTS = 3;

const ENV = {
  UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
  DISPATCH_POLL_MS: '100',
  DISPATCH_REQUEUE_AFTER_SECONDS: '2',
  RUN_LOCK_SECONDS: '2',
  RUN_RETRY_BASE_SECONDS: '1',
  RUN_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  RUN_LEASE_SECONDS: '6',
  SCHEDULE_CHECK_SECONDS: '5',
  LOG_LEVEL: 'info',
};

/** Port allows one kind in several resources: deployments split by environment, into one blueprint. */
function splitMapping(): Record<string, unknown> {
  const mapping = structuredClone(fakeIntegration.defaultMapping) as { resources: Array<Record<string, unknown>> };
  const [teams, services, deployments] = mapping.resources;
  return {
    ...mapping,
    resources: [
      teams,
      services,
      { ...structuredClone(deployments), selector: { query: 'environment = "production"' } },
      { ...structuredClone(deployments), selector: { query: 'environment != "production"' } },
    ],
  };
}

export interface RunRow {
  id: string;
  status: string;
  attempt: number;
  deleted: number;
  deletion_decision: string | null;
  deletion_reason: string | null;
  error_code: string | null;
}

export class ChaosStack {
  installationId = '';
  /** Processes that exited without the suite killing them. */
  unexpectedExits = 0;
  /** The suite's own connection (superuser), opened again after PostgreSQL restarts. */
  private admin: pg.Client | undefined;

  private constructor(
    readonly postgres: OwnPostgres,
    readonly redis: OwnRedis,
    readonly tool: FakeToolServer,
    private readonly apps: AppStack,
    /** Each process's whole stdout and stderr, one file per process started (worker-3.log is the third worker). */
    readonly logDir: string,
  ) {}

  static async start(): Promise<ChaosStack> {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-chaos-logs-'));
    const [postgres, redis] = await Promise.all([OwnPostgres.start(), OwnRedis.start()]);
    const tool = await FakeToolServer.start({ token: TOOL_TOKEN, pageSize: PAGE_SIZE, counts: { ...NOMINAL } });
    tool.setRequestLog(false);
    const apps = await AppStack.start({
      databaseUrl: postgres.appUrl,
      redisUrl: redis.url,
      keyPrefix: 'chaos',
      workers: 2,
      env: ENV,
      logDir,
    });
    const stack = new ChaosStack(postgres, redis, tool, apps, logDir);
    const installed = await apps.call('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'chaos',
      settings: { baseUrl: tool.baseUrl, token: TOOL_TOKEN },
      mapping: splitMapping(),
      schedule: { every: '7d' },
    });
    if (installed.status !== 201) throw new Error(`install failed: ${JSON.stringify(installed.body)}`);
    stack.installationId = installed.body.installation.id as string;
    const [first] = await stack.query<{ id: string }>('SELECT id FROM sync_runs');
    const ended = await stack.ended(first!.id, 60_000);
    if (ended?.status !== 'completed') throw new Error(`the first run did not complete: ${JSON.stringify(ended)}`);
    return stack;
  }

  get workers(): AppProcess[] {
    return this.apps.workers;
  }

  /**
   * Asks the api for a resync until it takes it: a 503 (Redis down) is retried after its
   * Retry-After, a 409 waits for the active run to end. Returns the run's id and how often the
   * api answered 503.
   */
  async resync(options: { acceptFetchDrop?: boolean } = {}): Promise<{ runId: string; unavailable: number }> {
    let unavailable = 0;
    const answers: string[] = [];
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      const asked = Date.now();
      const response = await this.apps
        .call(
          'POST',
          `/v1/installations/${this.installationId}/resync`,
          options.acceptFetchDrop ? { acceptFetchDrop: true } : undefined,
        )
        .catch((error: unknown) => ({ status: 0, headers: new Headers(), body: { error: { message: String(error) } } }));
      const tookMs = Date.now() - asked;
      if (response.status === 202) return { runId: response.body.run.id as string, unavailable };
      if (response.status === 409 && response.body?.error?.code === 'RUN_ACTIVE') {
        const activeRunId = response.body.error.details.runId as string;
        const ended = await this.ended(activeRunId, Math.max(0, deadline - Date.now()));
        answers.push(`409 RUN_ACTIVE in ${tookMs} ms: run ${activeRunId} ${ended ? `ended ${ended.status}` : 'did not end'}`);
        continue;
      }
      if (response.status === 503) unavailable++;
      answers.push(`${response.status || 'no answer'} in ${tookMs} ms: ${JSON.stringify(response.body?.error ?? response.body)}`);
      await sleep(Math.min(Number(response.headers.get('retry-after') ?? 1), 1) * 1000);
    }
    // Which it was (a run that never ended, an api that hung or refused) decides where to look.
    throw new Error(`the api did not take a resync within 2 minutes; its last answers: ${answers.slice(-5).join('; ')}`);
  }

  /** SQL as the superuser over one kept connection; fails while PostgreSQL is down. */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!this.admin) {
      const client = new pg.Client({ connectionString: this.postgres.adminUrl });
      client.on('error', () => (this.admin = undefined));
      await client.connect();
      this.admin = client;
    }
    try {
      return (await this.admin.query<T>(sql, params)).rows;
    } catch (error) {
      await this.admin?.end().catch(() => {});
      this.admin = undefined;
      throw error;
    }
  }

  async run(runId: string): Promise<RunRow | undefined> {
    const [row] = await this.query<RunRow>(
      `SELECT id, status, attempt, deleted, deletion_decision, deletion_reason, error_code FROM sync_runs WHERE id = $1`,
      [runId],
    );
    return row;
  }

  /** The run once it ended, or undefined when it has not ended within `timeoutMs` (stuck). */
  async ended(runId: string, timeoutMs: number): Promise<RunRow | undefined> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
      const row = await this.run(runId).catch(() => undefined); // PostgreSQL may be restarting
      if (row && !['pending', 'running'].includes(row.status)) return row;
    }
    return undefined;
  }

  /** Every entity in the catalog, as `blueprint/identifier`. */
  async catalog(): Promise<Set<string>> {
    for (;;) {
      try {
        const rows = await this.query<{ key: string }>(`SELECT blueprint || '/' || identifier AS key FROM entities`);
        return new Set(rows.map((row) => row.key));
      } catch {
        await sleep(200); // PostgreSQL restarting
      }
    }
  }

  /** SIGKILLs the worker running `runId` (or either), then starts a replacement. */
  async killWorker(runId: string): Promise<void> {
    const index = Math.max(
      0,
      this.workers.findIndex((worker) => worker.output.includes(`"runId":"${runId}"`)),
    );
    const victim = this.workers[index]!;
    victim.child.kill('SIGKILL');
    await victim.exitCode();
    this.workers[index] = this.apps.startWorker();
  }

  async crashPostgres(downMs: number): Promise<void> {
    await this.postgres.crash();
    await sleep(downMs);
    await this.postgres.restart();
  }

  async restartRedis(options: { keepData: boolean; downMs: number }): Promise<void> {
    await this.redis.stop();
    await sleep(options.downMs);
    await this.redis.resume({ keepData: options.keepData });
  }

  /** Counts and restarts processes that died on their own; trims kept output. */
  async checkProcesses(): Promise<string[]> {
    const died: string[] = [];
    const exited = (process: AppProcess) => process.child.exitCode !== null || process.child.signalCode !== null;
    const note = (process: AppProcess) =>
      died.push(`${process.name} exited ${process.child.exitCode}: ${process.output.slice(-1500)}`);
    for (const [index, worker] of this.workers.entries()) {
      if (!exited(worker)) continue;
      note(worker);
      this.workers[index] = this.apps.startWorker();
    }
    if (exited(this.apps.scheduler)) {
      note(this.apps.scheduler);
      this.apps.scheduler = this.apps.startScheduler();
    }
    if (exited(this.apps.api)) {
      note(this.apps.api);
      this.apps.api = this.apps.startApi();
      await waitForHttp(`${this.apps.baseUrl}/health`, 60_000);
    }
    for (const process of this.apps.processes) {
      if (process.output.length > 200_000) process.output = process.output.slice(-50_000);
    }
    this.unexpectedExits += died.length;
    return died;
  }

  /** The last `lines` lines of each process's log, the most recently written last, to explain a failure. */
  logTails(lines = 40): string {
    return this.logFiles()
      .map((file) => {
        const text = fs.readFileSync(path.join(this.logDir, file), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        return `--- ${file} (last ${lines} lines) ---\n${text}`;
      })
      .join('\n');
  }

  /** Where a secret of the stack (keys, passwords, tokens) appears in a process log, plain or escaped. */
  secretsInLogs(): string[] {
    const forms = [...this.apps.secrets, TOOL_TOKEN].flatMap((secret) => [
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
    ]);
    return this.logFiles().flatMap((file) => {
      const text = fs.readFileSync(path.join(this.logDir, file), 'utf8');
      return forms.some((form) => text.includes(form)) ? [file] : [];
    });
  }

  private logFiles(): string[] {
    return fs
      .readdirSync(this.logDir)
      .filter((file) => file.endsWith('.log'))
      .sort((a, b) => fs.statSync(path.join(this.logDir, a)).mtimeMs - fs.statSync(path.join(this.logDir, b)).mtimeMs);
  }

  /** Stops everything; the logs are kept when `keepLogs` (a failure to explain), else removed. */
  async close(options: { keepLogs: boolean }): Promise<void> {
    await this.admin?.end().catch(() => {});
    await this.apps.close();
    await this.tool.close();
    await this.redis.close();
    await this.postgres.stop();
    if (!options.keepLogs) fs.rmSync(this.logDir, { recursive: true, force: true });
  }
}
