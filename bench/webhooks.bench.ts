import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Agent, request } from 'undici';
import { FakeGithub } from '@mooring/integrations/testing';
import { benchDatabase, benchRedis } from './bench-database.js';

// npm run bench -- webhooks [--burst 5000] [--concurrency 50] [--rate 200] [--seconds 30] [--workers 1]
//                           [--profile-api <dir>]
// The built api, scheduler and worker(s) as real processes, the fake GitHub delivering signed `pull_request`
// deliveries to the organization webhook a worker registered. Prints one JSON line per scenario:
// - edge: a burst sent as fast as `concurrency` connections allow: deliveries accepted per second
//   (verified, persisted, queued), and just before it, as many `GET /health/live` the same way: the
//   api's ceiling at that moment's load (`edgeShare` = accepted/s ÷ that, comparable across runs on a
//   busy machine). Twice: `workers: "paused"` with the worker processes stopped (SIGSTOP) for the burst,
//   the edge alone on the cores, then `workers: "applying"`, the worker applying meanwhile on the same cores;
//   `cpuMsPerDelivery`: CPU time per delivery during the burst (Linux) of the api, PostgreSQL, the worker(s)
//   and this benchmark's own client (`benchClient`, the tool's side: on the same cores here, not in production);
//   what bounds the rate: `apiThreadBusy` (share of the burst the api's one thread ran: near 1, its CPU) and
//   `machineBusy` (share of all cores busy, every process and user: near 1, the machine; both low, latency);
// - steady: `rate` deliveries per second for `seconds`: from the edge receiving a delivery to its
//   entity written (the delivery's `received_at` to `applied_at`, stamped in the transaction that
//   ends it, after its entity is written), p50/p95/p99/max.
// PostgreSQL (fsync on) and Redis are started in temporary directories unless DATABASE_URL /
// REDIS_URL are set.

const { values } = parseArgs({
  options: {
    burst: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    workers: { type: 'string', default: '1' },
    // Writes the api's CPU profile (node --cpu-prof) there when the benchmark ends.
    'profile-api': { type: 'string' },
  },
});
const [burst, concurrency, rate, seconds, workerCount] = [
  values.burst,
  values.concurrency,
  values.rate,
  values.seconds,
  values.workers,
].map(Number) as [number, number, number, number, number];

/**
 * A process's parent and CPU time so far (user + system), and that of its children it has reaped
 * (`reapedMs`), from /proc on Linux; undefined elsewhere.
 */
function processStat(pid: number | undefined): { ppid: number; cpuMs: number; reapedMs: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    // The fields after the command name (which may hold spaces), from its closing parenthesis.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ms = (a: number, b: number) => ((Number(fields[a]) + Number(fields[b])) * 1000) / CLOCK_TICKS;
    return { ppid: Number(fields[1]), cpuMs: ms(11, 12), reapedMs: ms(13, 14) };
  } catch {
    return undefined;
  }
}
const cpuMs = (pid: number | undefined) => processStat(pid)?.cpuMs;

/** The whole machine's CPU time so far, busy and in all (every process, other users' included), from /proc/stat. */
function machineCpuMs(): { busy: number; all: number } | undefined {
  try {
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number);
    const all = ticks.reduce((sum, t) => sum + t, 0);
    // idle and iowait are the time no process ran.
    return { busy: ((all - ticks[3]! - ticks[4]!) * 1000) / CLOCK_TICKS, all: (all * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
/** Linux's USER_HZ, what /proc/<pid>/stat counts CPU time in. */
const CLOCK_TICKS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const token = 'ghp_benchGithubToken0123456789abcdefABCD';
const org = 'octo-org';
const REPOSITORIES = 50;

function start(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeFlags: string[] = [],
): ChildProcess & { output: string } {
  const child = spawn(process.execPath, [...nodeFlags, path.join(process.cwd(), entry), ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string };
  child.output = '';
  // The last 20 kB of its output, for the error message if the benchmark fails.
  const keep = (chunk: Buffer) => (child.output = (child.output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: timed out`);
    await sleep(200);
  }
}

const database = await benchDatabase();
const redis = await benchRedis();
const fake = await FakeGithub.start({ shape: { repositories: REPOSITORIES, members: 4, teams: 1 }, recordRequests: false });
fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org, admin:org_hook', organizations: [org] });
const apiPort = 20_000 + Math.floor(Math.random() * 20_000);
const baseUrl = `http://127.0.0.1:${apiPort}`;
const env = {
  DATABASE_URL: database.databaseUrl,
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
  AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
  VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
  UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true',
  PUBLIC_API_URL: baseUrl,
  LOG_LEVEL: 'warn',
};
const profileDir = values['profile-api'];
const api = start(
  'apps/api/dist/main.js',
  { ...env, API_PORT: String(apiPort), API_OPS_PORT: '0' },
  [],
  profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [],
);
const workers = Array.from({ length: workerCount }, () => start('apps/worker/dist/main.js', { ...env, WORKER_OPS_PORT: '0' }));
const processes = [api, start('apps/scheduler/dist/main.js', { ...env, SCHEDULER_OPS_PORT: '0' }), ...workers];
const admin = new pg.Client({ connectionString: database.adminUrl ?? database.databaseUrl });
try {
  await until('the api', async () => ((await fetch(`${baseUrl}/health`)).ok ? true : undefined), 180_000);
  const cli = start('apps/api/dist/cli/org-create.js', { DATABASE_URL: database.databaseUrl }, ['--name', 'bench', '--json']);
  await new Promise((resolve) => cli.once('exit', resolve));
  const { clientId, clientSecret } = JSON.parse(cli.output.trim().split('\n').at(-1)!) as Record<string, string>;
  const exchanged = await fetch(`${baseUrl}/v1/auth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret }),
  });
  const { accessToken } = (await exchanged.json()) as { accessToken: string };
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as Record<string, any>;
  };
  await call('PATCH', '/v1/organization', { allowHttpHosts: true });
  const installed = await call('POST', '/v1/installations', {
    integrationId: 'github',
    name: 'GitHub',
    settings: { token, host: fake.host, organization: org },
    schedule: { every: '7d' },
  });
  const installationId = installed['installation'].id as string;
  const hook = await until('the webhook registered', () => Promise.resolve(fake.webhooks[0]));

  await admin.connect();
  // The PostgreSQL server's processes: the postmaster (a backend's parent) and its children.
  const { rows: backend } = await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = processStat(backend[0]!.pid)?.ppid;
  const postgresCpuMs = () => {
    if (postmaster === undefined) return undefined;
    // Backends that ended during the burst (a pool's idle connection closed) count through the postmaster.
    const server = processStat(postmaster);
    let total = server ? server.cpuMs + server.reapedMs : 0;
    for (const entry of fs.readdirSync('/proc')) {
      const stat = /^\d+$/.test(entry) ? processStat(Number(entry)) : undefined;
      if (stat?.ppid === postmaster) total += stat.cpuMs;
    }
    return total;
  };
  const perDelivery = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined ? null : round2((after - before) / burst);
  const share = (before: number | undefined, after: number | undefined, ms: number) =>
    before === undefined || after === undefined ? null : round2((after - before) / ms);
  const cpuNow = () => {
    const own = process.cpuUsage();
    const workerMs = workers.map((worker) => cpuMs(worker.pid));
    return {
      api: cpuMs(api.pid),
      postgres: postgresCpuMs(),
      workers: workerMs.includes(undefined) ? undefined : workerMs.reduce((sum = 0, ms) => sum + ms!, 0),
      benchClient: (own.user + own.system) / 1000,
      machine: machineCpuMs(),
    };
  };
  await until('the first sync', async () => {
    const { rows } = await admin.query<{ status: string }>('SELECT status FROM sync_runs WHERE installation_id = $1', [
      installationId,
    ]);
    return rows[0] && !['pending', 'running'].includes(rows[0].status) ? true : undefined;
  });

  const pulls = await Promise.all(
    Array.from({ length: REPOSITORIES }, (_, i) => fake.read(token, `/repos/${org}/repo-${i}/pulls/1`)),
  );
  const repositories = await Promise.all(
    Array.from({ length: REPOSITORIES }, (_, i) => fake.read(token, `/repos/${org}/repo-${i}`)),
  );
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  // The client stands in for the tool's machines, which do not share the api's cores: it does as little per
  // delivery as it can (undici's request API rather than fetch; each pull request's payload serialised once,
  // with only its title and updated_at filled in per delivery), and its CPU is printed (`benchClient`).
  const templates = Array.from({ length: REPOSITORIES }, (_, i) =>
    JSON.stringify({
      action: 'edited',
      number: 1,
      pull_request: { ...pulls[i], title: '@@title@@', updated_at: '@@updated_at@@' },
      repository: repositories[i],
    }).split(/"@@(title|updated_at)@@"/),
  );
  const post = async (url: string, body?: string, headers?: Record<string, string>): Promise<number> => {
    const answer = await request(url, { method: body === undefined ? 'GET' : 'POST', dispatcher: agent, headers, body });
    await answer.body.dump();
    return answer.statusCode;
  };
  let sequence = 0;
  const deliver = (): Promise<number> => {
    const n = sequence++;
    const fields: Record<string, string> = { title: `Edit ${n}`, updated_at: new Date(Date.now() + n).toISOString() };
    const body = templates[n % REPOSITORIES]!.map((part, k) => (k % 2 ? JSON.stringify(fields[part]) : part)).join('');
    return post(hook.url, body, {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`,
    });
  };
  const drained = () =>
    until(
      'every delivery applied',
      async () => {
        const { rows } = await admin.query(
          `SELECT 1 FROM live_events WHERE installation_id = $1 AND status = 'pending' LIMIT 1`,
          [installationId],
        );
        return rows.length ? undefined : true;
      },
      600_000,
    );

  const statuses = new Map<number, number>();
  // One edge measurement: the ceiling at this load (the api's cheapest route, `GET /health/live`, as many
  // requests over the same connections), then a burst of `burst` deliveries as fast as the connections allow.
  const measureEdge = async (workersDuringBurst: 'paused' | 'applying') => {
    let probes = 0;
    const ceilingStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (probes++ < burst) {
          await post(`${baseUrl}/health/live`);
        }
      }),
    );
    const healthLivePerSec = burst / ((performance.now() - ceilingStarted) / 1000);

    statuses.clear();
    const cpuBefore = cpuNow();
    const last = sequence + burst;
    if (workersDuringBurst === 'paused') for (const worker of workers) worker.kill('SIGSTOP');
    const burstStarted = performance.now();
    try {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (sequence < last) {
            const status = await deliver();
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
    } finally {
      if (workersDuringBurst === 'paused') for (const worker of workers) worker.kill('SIGCONT');
    }
    const burstMs = performance.now() - burstStarted;
    const cpuAfter = cpuNow();
    await drained();
    const drainedMs = performance.now() - burstStarted;
    const acceptedPerSec = (statuses.get(202) ?? 0) / (burstMs / 1000);
    print({
      scenario: 'edge',
      deliveries: burst,
      concurrency,
      workers: workersDuringBurst,
      workerCount,
      acceptedPerSec: Math.round(acceptedPerSec),
      healthLivePerSec: Math.round(healthLivePerSec),
      edgeShare: Math.round((acceptedPerSec / healthLivePerSec) * 1000) / 1000,
      // CPU time per delivery during the burst (Linux), steadier than rates on a shared machine: the api,
      // PostgreSQL, the worker(s) and this benchmark's own client (building and signing each delivery).
      cpuMsPerDelivery: {
        api: perDelivery(cpuBefore.api, cpuAfter.api),
        postgres: perDelivery(cpuBefore.postgres, cpuAfter.postgres),
        workers: perDelivery(cpuBefore.workers, cpuAfter.workers),
        benchClient: perDelivery(cpuBefore.benchClient, cpuAfter.benchClient),
      },
      // What bounds the rate: the api's one thread busy this share of the burst (near 1: its CPU), and
      // the machine's cores busy this share (near 1: the machine; both well below 1: waiting, i.e. latency).
      apiThreadBusy: share(cpuBefore.api, cpuAfter.api, burstMs),
      machineBusy:
        cpuBefore.machine && cpuAfter.machine
          ? round2((cpuAfter.machine.busy - cpuBefore.machine.busy) / (cpuAfter.machine.all - cpuBefore.machine.all))
          : null,
      statuses: Object.fromEntries(statuses),
      appliedAllAfterMs: Math.round(drainedMs),
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    });
  };
  // Warm-up, not measured: the api's code paths compiled by V8 before either reading.
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let k = c; k < Math.min(burst, 1_000); k += concurrency) {
        await post(`${baseUrl}/health/live`);
        await deliver();
      }
    }),
  );
  await drained();
  await measureEdge('paused');
  await measureEdge('applying');

  // Steady: `rate` per second, delivery to entity written.
  const { rows: marker } = await admin.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM live_events');
  const steadyStarted = performance.now();
  const total = rate * seconds;
  const sent: Array<Promise<number>> = [];
  for (let k = 0; k < total; k++) {
    const due = steadyStarted + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sent.push(deliver());
  }
  const steadyStatuses = await Promise.all(sent);
  await drained();
  const { rows } = await admin.query<{ ms: number }>(
    `SELECT extract(epoch FROM applied_at - received_at) * 1000 AS ms FROM live_events
      WHERE installation_id = $1 AND accepted AND id > $2 ORDER BY 1`,
    [installationId, marker[0]!.id],
  );
  const latencies = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
  print({
    scenario: 'steady',
    ratePerSec: rate,
    seconds,
    deliveries: total,
    accepted: steadyStatuses.filter((status) => status === 202).length,
    applied: latencies.length,
    deliveryToEntityMs: {
      p50: Math.round(percentile(latencies, 50)),
      p95: Math.round(percentile(latencies, 95)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? 0),
    },
  });
  await agent.close();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${processes.map((p) => p.output.slice(-3000)).join('\n')}\n`);
  process.exitCode = 1;
} finally {
  if (profileDir) {
    // --cpu-prof writes the profile when the process exits; SIGKILL would lose it.
    const exited = new Promise((resolve) => api.once('exit', resolve));
    api.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
  }
  for (const child of processes) child.kill('SIGKILL');
  await admin.end().catch(() => {});
  await fake.close();
  await redis.close();
  await database.close();
}
