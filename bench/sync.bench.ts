// npm run bench -- sync --items 100000
// Syncs the fake tool (its own process, loopback HTTP, pages of 100) into the catalog three times
// and prints one JSON line per scenario: the first sync, an unchanged resync, and a resync after
// 10% of the items changed at the source. PostgreSQL is started in a temporary directory (fsync
// on) unless DATABASE_URL (the app role, on a migrated database) is set.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FAKE_TOKEN, SyncHarness } from '../test/support/sync-harness.js';
import { benchDatabase } from './bench-database.js';

// The repository's tooling is plain .mjs outside the build; load it from the repository root
// (npm run bench runs from there) rather than relative to the compiled file.

const { values } = parseArgs({ options: { items: { type: 'string', default: '100000' } } });
const items = Number(values.items);
if (!Number.isInteger(items) || items < 100) throw new Error('--items must be an integer of at least 100');
const counts = { team: Math.floor(items / 100), service: Math.floor(items / 10) };
const fakeCounts = { ...counts, deployment: items - counts.team - counts.service };

const cleanups: Array<() => Promise<void> | void> = [];
try {
  const database = await benchDatabase();
  cleanups.push(() => database.close());
  const { databaseUrl } = database;

  const fakeTool = spawn(
    process.execPath,
    [path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-tool.process.js'), FAKE_TOKEN, JSON.stringify(fakeCounts)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  cleanups.push(() => void fakeTool.kill());
  const replies = readline.createInterface({ input: fakeTool.stdout })[Symbol.asyncIterator]();
  const reply = async () => JSON.parse(((await replies.next()).value as string | undefined) ?? '{}') as { url?: string };
  const { url } = await reply();

  const harness = await SyncHarness.start({ databaseUrl, fake: { counts: { team: 0, service: 0, deployment: 0 } } });
  cleanups.push(() => harness.close());
  await harness.setSettings({ baseUrl: url! });

  const scenario = async (name: string) => {
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const started = performance.now();
    const run = await harness.sync();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (run.status !== 'completed') throw new Error(`${name}: run ${run.status}: ${run.errorMessage}`);
    const line = {
      scenario: name,
      items,
      seconds: Number(seconds.toFixed(2)),
      itemsPerSec: Math.round(items / seconds),
      rowsWritten: await harness.rowsWritten(run),
      peakRssMiB: Math.round(peak / 1024 / 1024),
      phasesMs: run.resources.reduce(
        (sum, r) => ({ extract: sum.extract + r.extractMs, transform: sum.transform + r.transformMs, load: sum.load + r.loadMs }),
        { extract: 0, transform: 0, load: 0 },
      ),
      reconcileMs: run.reconcileMs,
      ingested: run.resources.reduce((n, r) => n + r.ingested, 0),
      notChanged: run.resources.reduce((n, r) => n + r.notChanged, 0),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };

  process.stdout.write(
    `${JSON.stringify({ node: process.version, v8Flags: process.execArgv, baselineRssMiB: Math.round(process.memoryUsage.rss() / 1024 / 1024) })}\n`,
  );
  await scenario('first');
  await scenario('unchanged');
  fakeTool.stdin.write(`${JSON.stringify({ change: { fraction: 0.1, counts: fakeCounts } })}\n`);
  await reply();
  await scenario('changed10');
  fakeTool.stdin.end();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
