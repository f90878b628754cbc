import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../tools/lib/wait.mjs';
import { AppProcess, waitForHttp } from './processes.js';

// The built api, a scheduler and workers as real processes over the given PostgreSQL and Redis,
// with the fake tool on offer and one organization allowed to reach tools over plain http on loopback and a bearer token of
// its admin client. Importing nothing from vitest: the chaos suite uses it too.

export interface AppStackOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly workers: number;
  /** Added to every process's environment (timings, log level). */
  readonly env?: Readonly<Record<string, string>>;
  /** When set, each process's whole output goes to a file here (api-1.log, worker-3.log, …). */
  readonly logDir?: string;
}

export class AppStack {
  readonly workers: AppProcess[] = [];
  api!: AppProcess;
  scheduler!: AppProcess;
  private apiPort = 0;
  private token = '';

  private readonly started = new Map<string, number>();

  private constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string | undefined,
  ) {}

  static async start(options: AppStackOptions): Promise<AppStack> {
    const stack = await AppStack.launch(options);
    await stack.ready();
    return stack;
  }

  /** Spawns the api, the scheduler and the workers without waiting for them (they may be waiting for a dependency). */
  static async launch(options: AppStackOptions): Promise<AppStack> {
    const stack = new AppStack(
      {
        AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
        VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
        UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
        INTEGRATIONS_FAKE_ENABLED: 'true',
        LOG_LEVEL: 'info',
        ...options.env,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        REDIS_KEY_PREFIX: options.keyPrefix,
      },
      options.logDir,
    );
    stack.apiPort = await freePort();
    stack.api = stack.startApi();
    stack.scheduler = stack.startScheduler();
    for (let i = 0; i < options.workers; i++) stack.workers.push(stack.startWorker());
    return stack;
  }

  /** Waits for the api to answer, then creates the organization and its token. */
  async ready(): Promise<void> {
    await waitForHttp(`${this.baseUrl}/health`, 60_000);
    const cli = AppProcess.start('apps/api/dist/cli/org-create.js', { DATABASE_URL: this.env['DATABASE_URL']! }, [
      '--name',
      'acme',
      '--json',
    ]);
    if ((await cli.exitCode()) !== 0) throw new Error(`org-create failed: ${cli.output}`);
    const { clientId, clientSecret } = JSON.parse(cli.output.trim().split('\n').at(-1)!) as Record<string, string>;
    const exchanged = await fetch(`${this.baseUrl}/v1/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, clientSecret }),
    });
    this.token = ((await exchanged.json()) as { accessToken: string }).accessToken;
    const allowed = await this.call('PATCH', '/v1/organization', { allowHttpHosts: true });
    if (allowed.status !== 200) throw new Error(`could not allow http hosts: ${JSON.stringify(allowed.body)}`);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get processes(): AppProcess[] {
    return [this.api, this.scheduler, ...this.workers];
  }

  /** Values that must never appear in a log: the stack's keys, database passwords, the api token. */
  get secrets(): string[] {
    const passwords = [this.env['DATABASE_URL'], this.env['REDIS_URL']].map((url) => (url ? new URL(url).password : ''));
    return [this.env['AUTH_TOKEN_SECRET'] ?? '', this.env['VAULT_LOCAL_MASTER_KEY'] ?? '', this.token, ...passwords].filter(
      (secret) => secret.length >= 8,
    );
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Installs the fake tool at `baseUrl` on a weekly schedule (its first sync is queued) and returns the installation's id. */
  async installFakeTool(baseUrl: string, token: string): Promise<string> {
    const installed = await this.call('POST', '/v1/installations', {
      integrationId: 'fake',
      name: 'fake tool',
      settings: { baseUrl, token },
      schedule: { every: '7d' },
    });
    if (installed.status !== 201)
      throw new Error(`installing the fake tool: ${installed.status} ${JSON.stringify(installed.body)}`);
    return installed.body.installation.id as string;
  }

  startApi(): AppProcess {
    return this.spawn('api', {
      PUBLIC_API_URL: this.baseUrl,
      ...this.env,
      API_PORT: `${this.apiPort}`,
      API_OPS_PORT: '0',
    });
  }

  startScheduler(): AppProcess {
    return this.spawn('scheduler', { ...this.env, SCHEDULER_OPS_PORT: '0' });
  }

  /** A worker over the stack's PostgreSQL and Redis; `env` adds to (or overrides) its environment. */
  startWorker(env: Readonly<Record<string, string>> = {}): AppProcess {
    return this.spawn('worker', {
      PUBLIC_API_URL: this.baseUrl,
      ...this.env,
      ...env,
      WORKER_OPS_PORT: '0',
    });
  }

  private spawn(app: 'api' | 'scheduler' | 'worker', env: Record<string, string>): AppProcess {
    const n = (this.started.get(app) ?? 0) + 1;
    this.started.set(app, n);
    const logFile = this.logDir ? path.join(this.logDir, `${app}-${n}.log`) : undefined;
    return AppProcess.start(`apps/${app}/dist/main.js`, env, [], logFile ? { logFile } : {});
  }

  async close(): Promise<void> {
    for (const process of this.processes) await process?.stop('SIGKILL').catch(() => {});
  }
}
