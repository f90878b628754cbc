import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Dispatcher, ScheduleReconciler } from '@mooring/runs/scheduler';
import { ResyncTickConsumer } from '@mooring/queue';
import { adminSql, percentile, print, seed, startInfrastructure, startScheduling } from './run-queue-harness.js';

// npm run bench -- scheduler [--installations 10000] [--orgs 2000] [--rate 400] [--seconds 30]
// 1. registration: the scheduler's boot reconciliation registers a BullMQ job scheduler for every
//    installation (from PostgreSQL); prints the time and the Redis bytes per installation.
// 2. lag: schedules spread so that `rate` installations are due each second; for `seconds`, ticks
//    become runs, the dispatcher admits them, run consumers start them (the run itself is simulated).
//    Prints due-to-start lag percentiles (start = the run marked running by a consumer).

const { values } = parseArgs({
  options: {
    installations: { type: 'string', default: '10000' },
    orgs: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '30' },
  },
});
const [installations, orgs, rate, seconds] = [values.installations, values.orgs, values.rate, values.seconds].map(Number) as [
  number,
  number,
  number,
  number,
];

const infra = await startInfrastructure();
const keyPrefix = `bench-${randomUUID().slice(0, 8)}`;
try {
  print({ cpus: os.cpus().length, node: process.version, installations, orgs, rate });
  // Every installation due once per `installations / rate` seconds: `rate` due per second on average.
  const everySeconds = Math.max(1, Math.round(installations / rate));
  const perOrg = Math.ceil(installations / orgs);
  await seed(
    infra.adminUrl,
    Array.from({ length: orgs }, (_, index) => ({ installations: Math.min(perOrg, installations - index * perOrg) })).filter(
      (org) => org.installations > 0,
    ),
  );
  await adminSql(
    infra.adminUrl,
    `UPDATE installations SET schedule = jsonb_build_object('type', 'interval', 'everySeconds', $1::int)`,
    [everySeconds],
  );

  const redis = new Redis(infra.redisUrl);
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const contexts = await startScheduling(infra, {
    keyPrefix,
    workers: 2,
    concurrency: 50,
    runMs: 0,
    queueTarget: 200,
    pollMs: 100,
  });
  const started = performance.now();
  const registered = await contexts.scheduler.get(ScheduleReconciler).reconcile();
  const registrationMs = performance.now() - started;
  const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  print({
    scenario: 'registration',
    registered: registered.registered,
    ms: Math.round(registrationMs),
    redisBytesPerInstallation: Math.round((memoryAfter - memoryBefore) / registered.registered),
  });

  const from = new Date(Date.now() + 2_000);
  contexts.scheduler.get(ResyncTickConsumer).start();
  await contexts.scheduler.get(Dispatcher).start();
  await new Promise((resolve) => setTimeout(resolve, (seconds + 4) * 1000));
  const until = new Date(from.getTime() + seconds * 1000);
  await contexts.close();

  const rows = await adminSql<{ lag_ms: number | null; status: string }>(
    infra.adminUrl,
    `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS lag_ms, status::text AS status
       FROM sync_runs WHERE scheduled_for >= $1 AND scheduled_for < $2`,
    [from, until],
  );
  const lags = rows
    .map((row) => row.lag_ms)
    .filter((lag): lag is number => lag !== null)
    .sort((a, b) => a - b);
  const duplicates = await adminSql<{ n: string }>(
    infra.adminUrl,
    'SELECT count(*) AS n FROM (SELECT installation_id, scheduled_for FROM sync_runs WHERE scheduled_for IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d',
  );
  print({
    scenario: 'lag',
    everySeconds,
    due: rows.length,
    dispatchesPerSecond: Math.round(rows.length / seconds),
    started: lags.length,
    notStarted: rows.length - lags.length,
    skipped: rows.filter((row) => row.status === 'skipped').length,
    duplicateDueTimes: Number(duplicates[0]!.n),
    lagMs: { p50: Math.round(percentile(lags, 50)), p99: Math.round(percentile(lags, 99)), max: Math.round(lags.at(-1) ?? NaN) },
  });
  redis.disconnect();
} finally {
  await infra.close();
}
