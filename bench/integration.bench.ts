// npm run bench -- <integration id> [options], e.g. npm run bench -- github --repos 2000
// Syncs the integration's fake tool (its benchmark scenario, libs/integrations/src/<id>/testing/
// bench-scenario.ts, served from its own process over loopback HTTP) into the catalog twice with
// the integration's default mapping, through its kinds and client and the PostgreSQL response
// cache: `first` (empty catalog and cache), then `unchanged` (nothing changed at the tool). Prints
// one JSON line per run: requests made, 304 share, quota spent, items/s, the most requests in flight
// (`maxInFlight` as the fake saw them, `clientMaxInFlight` as the client's budgets counted them) and
// the request slots busy on average (`slotsBusyAvg`), and each resource's seconds (`resourceSeconds`:
// extract, map and load). PostgreSQL is started in a temporary directory (fsync on) unless
// DATABASE_URL (the app role, on a migrated database) is set.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { StoredResponseCache } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { benchScenario, budgetsInUse, testConnection } from '@mooring/integrations/testing';
import {
  BlueprintRepository,
  Database,
  InstallationRepository,
  OrganizationRepository,
  ResponseCacheRepository,
  SyncCatalogRepository,
  SyncRunEventRepository,
  SyncRunRepository,
} from '@mooring/persistence';
import { runSync, type SyncDependencies } from '@mooring/sync';
import { benchDatabase } from './bench-database.js';

const [id, ...args] = process.argv.slice(2);
const integrations = IntegrationRegistry.fromConfig({ fakeEnabled: true });
const integration = integrations.get(id ?? '');
const bench = await benchScenario(integration.id);
const { values } = parseArgs({
  args,
  options: Object.fromEntries(
    Object.entries(bench.options).map(([name, option]) => [name, { type: 'string', default: option.default }]),
  ),
});
const options = values as Record<string, string>;

const cleanups: Array<() => Promise<void> | void> = [];
try {
  const database = await benchDatabase();
  cleanups.push(() => database.close());

  const tool = spawn(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), 'tool.process.js'), integration.id, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.push(() => void tool.kill());
  const replies = readline.createInterface({ input: tool.stdout })[Symbol.asyncIterator]();
  const reply = async <T>() => JSON.parse(((await replies.next()).value as string | undefined) ?? '{}') as T;
  const { settings, token } = await reply<{ settings: Record<string, string>; token: string }>();
  const counters = async () => {
    tool.stdin.write('counters\n');
    return reply<Record<string, number>>();
  };

  const db = new Database({ url: database.databaseUrl, poolSize: 10 });
  await db.onModuleInit();
  cleanups.push(() => db.onModuleDestroy());
  const { organization } = await new OrganizationRepository(db).createWithClient('bench', {
    clientId: `mc_${Math.random().toString(36).slice(2)}`,
    secretHash: 'x'.repeat(64),
    name: 'bench',
    role: 'admin',
  });
  const blueprints = new BlueprintRepository(db);
  for (const blueprint of integration.defaultBlueprints) {
    await blueprints.create(organization.id, {
      ...blueprint,
      schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
      relations: blueprint.relations ?? {},
    });
  }
  const installation = await new InstallationRepository(db).create(organization.id, {
    integrationId: integration.id,
    name: integration.title,
    mapping: integration.defaultMapping,
    settings,
  });
  const responses = new ResponseCacheRepository(db);
  // When each resource started and finished (its event-log entries), for the line's `resourceSeconds`.
  const eventLog = new SyncRunEventRepository(db);
  const resourceTimes = new Map<string, { started: number; finished?: number }>();
  const deps: SyncDependencies = {
    installations: new InstallationRepository(db),
    runs: new SyncRunRepository(db),
    events: {
      appendEvents(orgId, runId, events) {
        for (const event of events) {
          const key = `${String(event.details?.['kind'])}-${String(event.details?.['kindIndex'])}`;
          if (event.type === 'resource.started') resourceTimes.set(key, { started: performance.now() });
          else if (event.type.startsWith('resource.')) {
            const times = resourceTimes.get(key);
            if (times) times.finished = performance.now();
          }
        }
        return eventLog.appendEvents(orgId, runId, events);
      },
    },
    catalog: new SyncCatalogRepository(db),
    blueprints,
    integrations: (integrationId) => integrations.get(integrationId),
    // The production connection without the SSRF guard (loopback) and the vault: same cache, same client.
    connect: (record, signal) =>
      Promise.resolve(
        testConnection(record.settings, token, {
          signal,
          responseCache: new StoredResponseCache(responses, organization.id, installation.id),
        }),
      ),
  };

  const described = bench.describe(options);
  process.stdout.write(
    `${JSON.stringify({ node: process.version, v8Flags: process.execArgv, integration: integration.id, ...described })}\n`,
  );
  const scenario = async (name: string) => {
    const before = await counters();
    // The client's side of concurrency: its credential budgets' peak and slot time during this run.
    const busyBefore = [...budgetsInUse().values()].reduce((ms, budget) => ms + budget.busySlotMs, 0);
    for (const budget of budgetsInUse().values()) budget.peakInFlight = 0;
    resourceTimes.clear();
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const started = performance.now();
    const outcome = await runSync(
      {
        orgId: organization.id,
        installationId: installation.id,
        runId: (await deps.runs.create(organization.id, installation.id, 'manual')).id,
      },
      deps,
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (outcome.kind !== 'completed') throw new Error(`${name}: run ${outcome.kind}: ${JSON.stringify(outcome)}`);
    const run = outcome.record;
    const after = await counters();
    const budgets = [...budgetsInUse().values()];
    const busySlotMs = budgets.reduce((ms, budget) => ms + budget.busySlotMs, 0) - busyBefore;
    const spent = (counter: string) => (after[counter] ?? 0) - (before[counter] ?? 0);
    const requests = spent('requests');
    const notModified = spent('notModified');
    const items = run.resources.reduce((n, r) => n + r.fetched, 0);
    const { rows } = await db.inTenantSql(organization.id, (client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
    );
    const counted = Object.fromEntries(
      Object.keys(after)
        .filter((counter) => !['requests', 'notModified', 'quotaRemaining', 'maxInFlight'].includes(counter))
        .map((counter) => [counter, spent(counter)]),
    );
    const line = {
      scenario: name,
      ...described,
      items,
      seconds: Number(seconds.toFixed(2)),
      itemsPerSec: Math.round(items / seconds),
      requests,
      notModified,
      share304: Number((notModified / requests).toFixed(4)),
      ...('quotaRemaining' in after ? { quotaSpent: (before['quotaRemaining'] ?? 0) - after['quotaRemaining'] } : {}),
      ...('maxInFlight' in after ? { maxInFlight: after['maxInFlight'] } : {}),
      clientMaxInFlight: Math.max(0, ...budgets.map((budget) => budget.peakInFlight)),
      slotsBusyAvg: Number((busySlotMs / 1000 / seconds).toFixed(2)),
      // Each resource's extract → map → load, in seconds (the run's other steps are the rest).
      resourceSeconds: Object.fromEntries(
        [...resourceTimes].map(([key, times]) => [
          key,
          Number((((times.finished ?? started) - times.started) / 1000).toFixed(2)),
        ]),
      ),
      ...counted,
      rowsWritten: rows[0]?.n ?? 0,
      peakRssMiB: Math.round(peak / 1024 / 1024),
      responseCache: await responses.size(organization.id, installation.id),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  await scenario('first');
  await scenario('unchanged');
  tool.stdin.end();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
