import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Dispatcher } from '@mooring/runs/scheduler';
import { adminSql, print, seed, startInfrastructure, startScheduling } from './run-queue-harness.js';

// npm run bench -- fairness [--queued 500] [--run-ms 2000] [--workers 2] [--concurrency 1]
// A big organization asks for `queued` runs at once; a moment later a small organization asks for
// its one run. Runs take `run-ms` each on `workers` x `concurrency` slots. Prints how long the small
// organization's run waited before it started, next to one run's duration (the target), and how
// many of the big organization's runs ran at once (its cap, 2 by default).

const { values } = parseArgs({
  options: {
    queued: { type: 'string', default: '500' },
    'run-ms': { type: 'string', default: '2000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1' },
  },
});
const [queued, runMs, workers, concurrency] = [values.queued, values['run-ms'], values.workers, values.concurrency].map(
  Number,
) as [number, number, number, number];

const infra = await startInfrastructure();
try {
  print({ cpus: os.cpus().length, node: process.version, queued, runMs, slots: workers * concurrency });
  const [big, small] = await seed(infra.adminUrl, [{ installations: queued }, { installations: 1 }]);
  const contexts = await startScheduling(infra, {
    keyPrefix: `bench-${randomUUID().slice(0, 8)}`,
    workers,
    concurrency,
    runMs,
    queueTarget: workers * concurrency,
  });
  await contexts.scheduler.get(Dispatcher).start();

  await adminSql(
    infra.adminUrl,
    `INSERT INTO sync_runs (org_id, installation_id, trigger) SELECT $1, id, 'manual' FROM unnest($2::uuid[]) AS id`,
    [big!.orgId, big!.installationIds],
  );
  contexts.scheduler.get(Dispatcher).wake();
  await new Promise((resolve) => setTimeout(resolve, runMs / 2)); // the big organization's runs are under way
  await adminSql(infra.adminUrl, `INSERT INTO sync_runs (org_id, installation_id, trigger) VALUES ($1, $2, 'manual')`, [
    small!.orgId,
    small!.installationIds[0],
  ]);
  contexts.scheduler.get(Dispatcher).wake();

  const deadline = Date.now() + runMs * 10 + 10_000;
  let wait: { wait_ms: number } | undefined;
  while (!wait && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    [wait] = await adminSql<{ wait_ms: number }>(
      infra.adminUrl,
      `SELECT extract(epoch FROM started_at - created_at) * 1000 AS wait_ms FROM sync_runs WHERE org_id = $1 AND started_at IS NOT NULL`,
      [small!.orgId],
    );
  }
  const [bigState] = await adminSql<{ started: string; waiting: string }>(
    infra.adminUrl,
    `SELECT count(*) FILTER (WHERE started_at IS NOT NULL) AS started, count(*) FILTER (WHERE started_at IS NULL) AS waiting
       FROM sync_runs WHERE org_id = $1`,
    [big!.orgId],
  );
  await contexts.close();
  print({
    scenario: 'fairness',
    smallOrgWaitMs: wait ? Math.round(wait.wait_ms) : null,
    oneRunMs: runMs,
    withinOneRun: wait ? wait.wait_ms <= runMs : false,
    bigOrgStartedBeforeThen: Number(bigState!.started),
    bigOrgStillWaiting: Number(bigState!.waiting),
  });
} finally {
  await infra.close();
}
