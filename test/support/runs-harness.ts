import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { FakeToolServer } from '@mooring/integrations/testing';
import { createLogger, loadConfig, Telemetry, type Environment } from '@mooring/platform';
import { startSchedulerApp } from '../../apps/scheduler/src/scheduler-app.js';
import { schedulerConfigSpec } from '../../apps/scheduler/src/config.js';
import { startWorkerApp } from '../../apps/worker/src/worker-app.js';
import { workerConfigSpec } from '../../apps/worker/src/config.js';
import { adminQuery } from './admin-query.js';
import { TestApi, type TestOrganization } from './test-api.js';

export const FAKE_TOKEN = 'fake-tool-token-0123456789';

export interface RunRow {
  id: string;
  status: string;
  trigger: string;
  attempt: number;
  scheduled_for: Date | null;
  dispatched_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  error_code: string | null;
  skipped_for: string | null;
  deleted: number;
  deletion_decision: string | null;
}

/**
 * The api, schedulers and workers as production builds them, in this process (the multi-process
 * test runs the built apps instead), over one fresh database and Redis namespace, with the fake
 * tool on loopback. Logs of every part are kept in `logs`.
 */
export class RunsHarness {
  readonly logs: string[] = [];
  private readonly contexts = new Set<INestApplicationContext>();
  private readonly workers = new Set<INestApplicationContext>();

  private constructor(
    readonly api: TestApi,
    readonly tool: FakeToolServer,
    private readonly env: Environment,
  ) {}

  /** `REDIS_URL` in `env`: a Redis of the test's own (one it stops and restarts), instead of the run's. */
  static async start(env: Environment = {}): Promise<RunsHarness> {
    const tool = await FakeToolServer.start({ token: FAKE_TOKEN, pageSize: 10 });
    const shared: Environment = {
      VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
      UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      // A test configuration: the fake tool is on offer.
      INTEGRATIONS_FAKE_ENABLED: 'true',
      SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      DISPATCH_POLL_MS: '100',
      RUN_LOCK_SECONDS: '2',
      RUN_RETRY_BASE_SECONDS: '1',
      LOG_LEVEL: 'info',
      ...env,
    };
    const api = await TestApi.start(
      pick(shared, [
        'VAULT_LOCAL_MASTER_KEY',
        'UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS',
        'SCHEDULE_MIN_INTERVAL_SECONDS',
        'REDIS_URL',
      ]),
    );
    return new RunsHarness(api, tool, {
      ...shared,
      DATABASE_URL: api.db.appUrl,
      REDIS_URL: api.redis.url,
      REDIS_KEY_PREFIX: api.redis.keyPrefix,
    });
  }

  async startScheduler(env: Environment = {}): Promise<INestApplicationContext> {
    const config = loadConfig(schedulerConfigSpec, { ...pick(this.env, SCHEDULER_VARIABLES), ...env });
    const { app } = await startSchedulerApp(config, new Telemetry('scheduler-test'), this.logger('scheduler'));
    this.contexts.add(app);
    return app;
  }

  async startWorker(env: Environment = {}): Promise<INestApplicationContext> {
    const config = loadConfig(workerConfigSpec, { ...pick(this.env, WORKER_VARIABLES), ...env });
    const app = await startWorkerApp(config, new Telemetry('worker-test'), this.logger('worker'));
    this.contexts.add(app);
    this.workers.add(app);
    return app;
  }

  /** The workers running now, as production builds them. */
  workerApps(): INestApplicationContext[] {
    return [...this.workers];
  }

  /** Closes one part the way SIGTERM does. */
  async stop(context: INestApplicationContext): Promise<void> {
    this.contexts.delete(context);
    this.workers.delete(context);
    await context.close();
  }

  /** Stops every worker (as SIGTERM does), so runs stay where the test puts them. */
  async stopWorkers(): Promise<void> {
    for (const worker of [...this.workers]) await this.stop(worker);
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close();
    await this.api.close();
    await this.tool.close();
  }

  /** An organization allowed to reach the fake tool over plain http on loopback. */
  async organization(name: string): Promise<TestOrganization> {
    const org = await this.api.createOrganization(name);
    const allowed = await this.api.request('PATCH', '/v1/organization', { token: org.token, body: { allowHttpHosts: true } });
    if (allowed.status !== 200) throw new Error(`could not allow http hosts: ${JSON.stringify(allowed.body)}`);
    return org;
  }

  /**
   * Installs the fake tool through the API; returns the installation as the API shows it. Weekly
   * unless the test gives a schedule, so no tick fires by chance during a test.
   */
  async install(org: TestOrganization, body: Record<string, unknown> = {}): Promise<{ id: string; [key: string]: unknown }> {
    const created = await this.api.request('POST', '/v1/installations', {
      token: org.token,
      body: {
        integrationId: 'fake',
        name: `fake ${randomBytes(3).toString('hex')}`,
        settings: { baseUrl: this.tool.baseUrl, token: FAKE_TOKEN },
        schedule: { every: '7d' },
        ...body,
      },
    });
    if (created.status !== 201) throw new Error(`install failed: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.installation;
  }

  /** Every run of an installation, oldest first, as stored. */
  runs(installationId: string): Promise<RunRow[]> {
    return adminQuery<RunRow>(
      this.api.db,
      `SELECT id, status, trigger, attempt, scheduled_for, dispatched_at, started_at, finished_at, error_code, skipped_for,
              deleted, deletion_decision
         FROM sync_runs WHERE installation_id = $1 ORDER BY created_at, id`,
      [installationId],
    );
  }

  /** Waits until `check` returns a value (not undefined), polling every 100 ms. */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.logs.slice(-30).join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits for the run to end; returns its row. */
  async ended(installationId: string, runId: string, timeoutMs?: number): Promise<RunRow> {
    return this.until(
      `run ${runId} to end`,
      async () =>
        (await this.runs(installationId)).find((run) => run.id === runId && !['pending', 'running'].includes(run.status)),
      timeoutMs,
    );
  }

  private logger(service: string) {
    return createLogger({
      service,
      level: this.env['LOG_LEVEL'] ?? 'info',
      destination: { write: (line: string) => this.logs.push(line) },
    });
  }
}

const COMMON = ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'LOG_LEVEL'];
const SCHEDULER_VARIABLES = [
  ...COMMON,
  'DISPATCH_POLL_MS',
  'DISPATCH_QUEUE_TARGET',
  'DISPATCH_REQUEUE_AFTER_SECONDS',
  'RUN_MAX_ATTEMPTS',
  'SCHEDULER_TICK_CONCURRENCY',
  'SCHEDULE_CHECK_SECONDS',
];
const WORKER_VARIABLES = [
  ...COMMON,
  'VAULT_LOCAL_MASTER_KEY',
  'UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS',
  'INTEGRATIONS_FAKE_ENABLED',
  'OUTBOUND_MAX_RESPONSE_BYTES',
  'WORKER_CONCURRENCY',
  'RUN_TIMEOUT_SECONDS',
  'RUN_LOCK_SECONDS',
  'RUN_RETRY_BASE_SECONDS',
  'RUN_LEASE_SECONDS',
];

function pick(env: Environment, names: readonly string[]): Environment {
  return Object.fromEntries(names.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}
