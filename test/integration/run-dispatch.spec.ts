import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, InstallationRepository, OrganizationRepository, RunQueueRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The run queue in PostgreSQL: one active run per installation, one run per due time, and the
// dispatcher's fairness rules (per-organization caps, organizations taking turns).

describe('run queue and fair dispatch', () => {
  let database: TestDatabase;
  let db: Database;
  let queue: RunQueueRepository;
  let installations: InstallationRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database({ url: database.appUrl, poolSize: 6 });
    await db.onModuleInit();
    queue = new RunQueueRepository(db);
    installations = new InstallationRepository(db);
  });
  afterAll(async () => {
    await db.onModuleDestroy();
    await database.drop();
  });

  async function organization(maxConcurrentRuns?: number): Promise<string> {
    const { organization } = await new OrganizationRepository(db).createWithClient(`org-${randomBytes(3).toString('hex')}`, {
      clientId: `client-${randomBytes(6).toString('hex')}`,
      secretHash: 'not-used',
      name: 'admin',
      role: 'admin',
    });
    if (maxConcurrentRuns !== undefined) {
      await adminQuery(database, 'UPDATE organizations SET max_concurrent_runs = $2 WHERE id = $1', [
        organization.id,
        maxConcurrentRuns,
      ]);
    }
    return organization.id;
  }

  async function installation(orgId: string): Promise<string> {
    const created = await installations.create(orgId, {
      integrationId: 'fake',
      name: `fake-${randomBytes(4).toString('hex')}`,
      mapping: { resources: [] },
      settings: {},
    });
    return created.id;
  }

  async function requestRuns(orgId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const request = await queue.request(orgId, await installation(orgId), 'manual');
      if (request.outcome !== 'created') throw new Error(request.outcome);
      ids.push(request.runId);
    }
    return ids;
  }

  async function finish(runIds: readonly string[]): Promise<void> {
    await adminQuery(database, `UPDATE sync_runs SET status = 'completed', finished_at = now() WHERE id = ANY($1::uuid[])`, [
      runIds,
    ]);
  }

  it('keeps one active run per installation and one run per due time', async () => {
    const orgId = await organization();
    const installationId = await installation(orgId);
    const first = await queue.request(orgId, installationId, 'manual');
    if (first.outcome !== 'created') throw new Error(`expected a new run, got ${first.outcome}`);
    expect(await queue.request(orgId, installationId, 'manual')).toEqual({ outcome: 'active', runId: first.runId });

    const due = new Date('2026-11-23T10:00:00.000Z');
    const skipped = await queue.recordTick(orgId, installationId, due);
    expect(skipped).toMatchObject({ outcome: 'skipped', activeRunId: first.runId });
    expect(await queue.recordTick(orgId, installationId, due)).toEqual({ outcome: 'duplicate' });

    await finish([first.runId]);
    const later = new Date('2026-11-23T11:00:00.000Z');
    const scheduled = await queue.recordTick(orgId, installationId, later);
    expect(scheduled.outcome).toBe('created');
    expect(await queue.recordTick(orgId, installationId, later)).toEqual({ outcome: 'duplicate' });
    const rows = await adminQuery<{ status: string; scheduled_for: Date | null }>(
      database,
      'SELECT status, scheduled_for FROM sync_runs WHERE installation_id = $1 ORDER BY created_at',
      [installationId],
    );
    expect(rows.map((row) => [row.status, row.scheduled_for?.toISOString() ?? null])).toEqual([
      ['completed', null],
      ['skipped', due.toISOString()],
      ['pending', later.toISOString()],
    ]);
  });

  it('records nothing for a tick of a disabled installation, and says so', async () => {
    const orgId = await organization();
    const installationId = await installation(orgId);
    await installations.update(orgId, installationId, { enabled: false });
    expect(await queue.recordTick(orgId, installationId, new Date())).toEqual({ outcome: 'not_syncable' });
    expect(await queue.request(orgId, installationId, 'manual')).toMatchObject({ outcome: 'not_syncable', enabled: false });
    expect(await queue.recordTick(orgId, '00000000-0000-4000-8000-000000000000', new Date())).toEqual({ outcome: 'not_found' });
  });

  it('admits at most an organization’s cap, and serves a small organization before a big one’s third run', async () => {
    await drain();
    const big = await organization();
    const bigRuns = await requestRuns(big, 50);
    const small = await organization();
    const [smallRun] = await requestRuns(small, 1);

    const admitted = await queue.claimForDispatch(20);
    expect(admitted.filter((run) => run.orgId === big)).toHaveLength(2);
    expect(admitted.map((run) => run.runId)).toContain(smallRun);
    expect(await queue.claimForDispatch(20)).toEqual([]); // caps are full

    // The big organization's runs end: its next two are admitted, no more.
    const firstTwo = admitted.filter((run) => run.orgId === big).map((run) => run.runId);
    expect(firstTwo).toEqual(bigRuns.slice(0, 2)); // oldest first within an organization
    await finish(firstTwo);
    const next = await queue.claimForDispatch(20);
    expect(next.map((run) => run.runId)).toEqual(bigRuns.slice(2, 4));
    await finish([...next.map((run) => run.runId), smallRun!]);
    await drain();
  });

  it('lets an organization served longest ago go first, within the queue target', async () => {
    await drain();
    const served = await organization(1);
    const [servedRun] = await requestRuns(served, 1);
    expect((await queue.claimForDispatch(1)).map((run) => run.runId)).toEqual([servedRun]);
    await finish([servedRun!]);

    await requestRuns(served, 1);
    const waiting = await organization(1);
    const [waitingRun] = await requestRuns(waiting, 1);
    // Both have one run waiting; the one never served goes first, though it asked later.
    expect((await queue.claimForDispatch(1)).map((run) => run.runId)).toEqual([waitingRun]);
    // The queue target counts admitted runs no worker started yet.
    expect(await queue.claimForDispatch(1)).toEqual([]);
    expect(await queue.depth()).toMatchObject({ waiting: 1, dispatched: 1, running: 0 });
    await drain();
  });

  it('never exceeds a cap when dispatchers race', async () => {
    await drain();
    const orgId = await organization(3);
    await requestRuns(orgId, 30);
    const claims = await Promise.all(Array.from({ length: 6 }, () => queue.claimForDispatch(50)));
    expect(claims.flat()).toHaveLength(3);
    await drain();
  });

  /** Ends every active run, so each test starts with an empty queue. */
  async function drain(): Promise<void> {
    await adminQuery(
      database,
      `UPDATE sync_runs SET status = 'completed', finished_at = now() WHERE status IN ('pending', 'running')`,
    );
  }
});
