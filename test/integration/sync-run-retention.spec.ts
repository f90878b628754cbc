import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InstallationRepository, RunQueueRepository } from '@mooring/persistence';
import { RunHistoryPruner } from '@mooring/runs/scheduler';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { SyncHarness } from '../support/sync-harness.js';

// Run history is kept at least 30 days or 1,000 runs per installation (Port: 4 days or 50): a run
// goes only when it is older than 30 days AND beyond its installation's newest 1,000.
const DAY = 86_400_000;
const now = new Date('2026-11-23T12:00:00Z');

let testDb: TestDatabase;
let h: SyncHarness;
let otherInstallation: string;

/** Inserts `count` runs of an installation, the newest `newestAgeDays` old, one minute apart going back. */
async function insertRuns(installationId: string, count: number, options: { newestAgeDays: number; status?: string }) {
  await h.db.inTenantSql(h.orgId, (client) =>
    client.query(
      `INSERT INTO sync_runs (org_id, installation_id, status, trigger, created_at, started_at, finished_at)
       SELECT $1, $2, $3::sync_run_status, 'schedule', t, t, CASE WHEN $3 IN ('pending', 'running') THEN NULL ELSE t + interval '1 second' END
         FROM generate_series(1, $4::int) AS i, LATERAL (SELECT $5::timestamptz - (i - 1) * interval '1 minute' AS t) AS at`,
      [h.orgId, installationId, options.status ?? 'completed', count, new Date(now.getTime() - options.newestAgeDays * DAY)],
    ),
  );
}

async function runCount(installationId: string): Promise<number> {
  const { rows } = await h.db.inTenantSql(h.orgId, (client) =>
    client.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_runs WHERE installation_id = $1', [installationId]),
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await SyncHarness.start({ databaseUrl: testDb.appUrl });
  otherInstallation = (
    await new InstallationRepository(h.db).create(h.orgId, {
      integrationId: 'fake',
      name: 'second',
      mapping: { resources: [] },
      settings: {},
    })
  ).id;
});

beforeEach(async () => {
  await h.db.inTenantSql(h.orgId, (client) => client.query('DELETE FROM sync_runs'));
});

afterAll(async () => {
  await h.close();
  await testDb.drop();
});

describe('run history retention', () => {
  it('keeps everything younger than 30 days, however many runs', async () => {
    await insertRuns(h.installationId, 1_200, { newestAgeDays: 0 });
    expect(await h.retention.prune(h.orgId, { installationId: h.installationId, now })).toBe(0);
    expect(await runCount(h.installationId)).toBe(1_200);
  });

  it('keeps the newest 1,000 runs however old, and prunes older runs beyond them', async () => {
    await insertRuns(h.installationId, 1_005, { newestAgeDays: 40 });
    const newest = await h.history.history(h.orgId, h.installationId, { limit: 1_000 });
    expect(await h.retention.prune(h.orgId, { installationId: h.installationId, now })).toBe(5);
    const kept = await h.history.history(h.orgId, h.installationId, { limit: 1_001 });
    expect(kept.items.map((run) => run.id)).toEqual(newest.items.map((run) => run.id));
  });

  it('prunes only runs that both rules let go: old ones beyond the newest 1,000', async () => {
    // 1,010 runs a minute apart; the newest ended 30 days minus 1,005 minutes ago, so the 1,001st to
    // 1,006th newest are beyond 1,000 but younger than 30 days (kept), the last 4 are both (pruned).
    await insertRuns(h.installationId, 1_010, { newestAgeDays: 30 - 1_005 / 1_440 });
    const before = (await h.history.history(h.orgId, h.installationId, { limit: 2_000 })).items.map((run) => run.id);
    expect(await h.retention.prune(h.orgId, { installationId: h.installationId, now })).toBe(4);
    const after = (await h.history.history(h.orgId, h.installationId, { limit: 2_000 })).items.map((run) => run.id);
    expect(after).toEqual(before.slice(0, 1_006));
  });

  it('never prunes an active run, and takes resources and events with a pruned run', async () => {
    const old = await h.runs.create(h.orgId, h.installationId, 'manual');
    await h.events.appendEvents(h.orgId, old.id, [{ level: 'info', type: 'run.started', message: 'started' }]);
    await h.runs.begin(h.orgId, old.id, 'hash', [{ resourceIndex: 0, kind: 'team', blueprint: 'fakeTeam' }]);
    await h.db.inTenantSql(h.orgId, (client) =>
      client.query(`UPDATE sync_runs SET status = 'completed', created_at = $2, finished_at = $2 WHERE id = $1`, [
        old.id,
        new Date(now.getTime() - 90 * DAY),
      ]),
    );
    // One run at most is active per installation: an old one still running stays.
    await insertRuns(h.installationId, 1, { newestAgeDays: 60, status: 'running' });
    expect(
      await h.retention.prune(h.orgId, { installationId: h.installationId, now, retention: { maxAgeDays: 30, keepNewest: 0 } }),
    ).toBe(1);
    expect(await runCount(h.installationId)).toBe(1);
    const leftovers = await h.db.inTenantSql(h.orgId, (client) =>
      client.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM sync_run_resources WHERE run_id = $1) + (SELECT count(*) FROM sync_run_events WHERE run_id = $1) AS n`,
        [old.id],
      ),
    );
    expect(Number(leftovers.rows[0]!.n)).toBe(0);
  });

  it('ranks each installation on its own when pruning a whole organization', async () => {
    await insertRuns(h.installationId, 1_003, { newestAgeDays: 45 });
    await insertRuns(otherInstallation, 1_001, { newestAgeDays: 45 });
    expect(await h.retention.prune(h.orgId, { now })).toBe(4);
    expect(await runCount(h.installationId)).toBe(1_000);
    expect(await runCount(otherInstallation)).toBe(1_000);
  });

  it('prunes one installation without touching another', async () => {
    await insertRuns(h.installationId, 1_002, { newestAgeDays: 45 });
    await insertRuns(otherInstallation, 1_002, { newestAgeDays: 45 });
    expect(await h.retention.prune(h.orgId, { installationId: otherInstallation, now })).toBe(2);
    expect(await runCount(h.installationId)).toBe(1_002);
  });
});

describe('the scheduler’s hourly pruning', () => {
  it('prunes every organization’s history, skipped due times included', async () => {
    await insertRuns(h.installationId, 1_003, { newestAgeDays: 40 });
    await insertRuns(otherInstallation, 1_002, { newestAgeDays: 40, status: 'skipped' });
    const other = await SyncHarness.start({ databaseUrl: testDb.appUrl });
    try {
      const { rows } = await other.db.inTenantSql(other.orgId, (client) =>
        client.query(
          `INSERT INTO sync_runs (org_id, installation_id, status, trigger, created_at, finished_at)
           SELECT $1, $2, 'completed', 'schedule', now() - interval '40 days' - i * interval '1 minute', now() - interval '40 days'
             FROM generate_series(1, 1001) AS i RETURNING id`,
          [other.orgId, other.installationId],
        ),
      );
      expect(rows).toHaveLength(1_001);
      const pruner = new RunHistoryPruner(new RunQueueRepository(h.db), h.retention);
      expect(await pruner.prune()).toBe(3 + 2 + 1);
    } finally {
      await other.close();
    }
  });
});
