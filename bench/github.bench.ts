// npm run bench -- github --repos 2000
// Syncs a GitHub organization served by the fake GitHub (its own process, loopback HTTP, GitHub's
// response shapes, ETags, rate-limit headers) into the catalog twice with the GitHub integration's
// default mapping: `first` (empty catalog and response cache) and `unchanged` (nothing changed at
// GitHub: every listing page should come back 304). Prints one JSON line per run: requests made,
// 304 share, quota spent, items/s. PostgreSQL is started in a temporary directory (fsync on)
// unless DATABASE_URL (the app role, on a migrated database) is set.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { StoredResponseCache } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { testConnection } from '@mooring/integrations/testing';
import {
  BlueprintRepository,
  Database,
  InstallationRepository,
  OrganizationRepository,
  ResponseCacheRepository,
  SyncCatalogRepository,
  SyncRunRepository,
} from '@mooring/persistence';
import { runSync, type SyncDependencies } from '@mooring/sync';
import { benchDatabase } from './bench-database.js';

const { values } = parseArgs({
  options: { repos: { type: 'string', default: '2000' }, 'rate-limit': { type: 'string', default: '15000' } },
});
const repositories = Number(values.repos);
// GitHub's hourly quota for the token. A first sync of 2,000 repositories takes about 12,000
// requests: more than a personal token's 5,000 (the run would wait for the next window), within
// the 15,000 of a GitHub Enterprise Cloud organization's app.
const rateLimit = Number(values['rate-limit']);
if (!Number.isInteger(repositories) || repositories < 1 || repositories > 99_999) throw new Error('--repos must be 1 to 99999');
// Per repository: 2 pull requests (1 open), 2 issues, 1 workflow with 2 runs, 1 release, 1 deployment.
const shape = { repositories, pulls: 2, issues: 2, workflows: 1, runs: 2, releases: 1, deployments: 1, members: 500, teams: 20 };
const TOKEN = 'ghp_benchmarkToken0123456789abcdefABCD';
const ORG = 'bench-org';
const integrations = IntegrationRegistry.fromConfig({ fakeEnabled: false });
const github = integrations.get('github');

const cleanups: Array<() => Promise<void> | void> = [];
try {
  const database = await benchDatabase();
  cleanups.push(() => database.close());
  const { databaseUrl } = database;

  const fake = spawn(
    process.execPath,
    [
      path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-github.process.js'),
      TOKEN,
      ORG,
      JSON.stringify(shape),
      String(rateLimit),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.push(() => void fake.kill());
  const replies = readline.createInterface({ input: fake.stdout })[Symbol.asyncIterator]();
  const reply = async <T>() => JSON.parse(((await replies.next()).value as string | undefined) ?? '{}') as T;
  const { host } = await reply<{ host: string }>();
  const serverStats = async () => {
    fake.stdin.write('stats\n');
    return reply<{ requests: number; notModified: number; rateLimited: number; maxInFlight: number; quotaRemaining: number }>();
  };

  const db = new Database({ url: databaseUrl, poolSize: 10 });
  await db.onModuleInit();
  cleanups.push(() => db.onModuleDestroy());
  const { organization } = await new OrganizationRepository(db).createWithClient('bench', {
    clientId: `mc_${Math.random().toString(36).slice(2)}`,
    secretHash: 'x'.repeat(64),
    name: 'bench',
    role: 'admin',
  });
  const blueprints = new BlueprintRepository(db);
  for (const blueprint of github.defaultBlueprints) {
    await blueprints.create(organization.id, {
      ...blueprint,
      schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
      relations: blueprint.relations ?? {},
    });
  }
  const installation = await new InstallationRepository(db).create(organization.id, {
    integrationId: 'github',
    name: 'GitHub',
    mapping: github.defaultMapping,
    settings: { host, organization: ORG },
  });
  const responses = new ResponseCacheRepository(db);
  const deps: SyncDependencies = {
    installations: new InstallationRepository(db),
    runs: new SyncRunRepository(db),
    catalog: new SyncCatalogRepository(db),
    blueprints,
    integrations: (id) => integrations.get(id),
    // The production connection without the SSRF guard (loopback) and the vault: same cache, same client.
    connect: (record, signal) =>
      Promise.resolve(
        testConnection(record.settings, TOKEN, {
          signal,
          responseCache: new StoredResponseCache(responses, organization.id, installation.id),
        }),
      ),
  };

  process.stdout.write(
    `${JSON.stringify({ node: process.version, v8Flags: process.execArgv, repositories, rateLimit, shape })}\n`,
  );
  const scenario = async (name: string) => {
    const before = await serverStats();
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const started = performance.now();
    const run = await runSync(
      {
        orgId: organization.id,
        installationId: installation.id,
        runId: (await deps.runs.create(organization.id, installation.id, 'manual')).id,
      },
      deps,
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (run.status !== 'completed') throw new Error(`${name}: run ${run.status}: ${run.errorMessage}`);
    const after = await serverStats();
    const requests = after.requests - before.requests;
    const notModified = after.notModified - before.notModified;
    const items = run.resources.reduce((n, r) => n + r.fetched, 0);
    const { rows } = await db.inTenantSql(organization.id, (client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
    );
    const line = {
      scenario: name,
      repositories,
      items,
      seconds: Number(seconds.toFixed(2)),
      itemsPerSec: Math.round(items / seconds),
      requests,
      notModified,
      share304: Number((notModified / requests).toFixed(4)),
      quotaSpent: before.quotaRemaining - after.quotaRemaining,
      maxInFlight: after.maxInFlight,
      rateLimited: after.rateLimited - before.rateLimited,
      rowsWritten: rows[0]?.n ?? 0,
      peakRssMiB: Math.round(peak / 1024 / 1024),
      responseCache: await responses.size(organization.id, installation.id),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  await scenario('first');
  await scenario('unchanged');
  fake.stdin.end();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
