import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryGroupCommit, type VerifiedDelivery } from '@mooring/live-events';
import { InstallationRepository, LiveEventRepository, OrganizationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { installationsContext } from '../support/installations-context.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

// The edge's group commit writes a burst two transactions deep (the next batch inserted while the
// one before commits): whatever the database refuses, rows are stored in the order the deliveries
// arrived, each answered only with its own outcome.
describe('the edge’s pipelined group commit (real PostgreSQL)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let app: INestApplicationContext;
  let events: LiveEventRepository;
  let orgId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    app = await installationsContext({
      db,
      redis,
      vault: { keyProvider: 'local', localMasterKey: randomBytes(32).toString('base64') },
      poolSize: 6,
    });
    events = app.get(LiveEventRepository);
    ({
      organization: { id: orgId },
    } = await app.get(OrganizationRepository).createWithClient('acme', {
      clientId: 'mc_acme',
      secretHash: 'a'.repeat(64),
      name: 'admin',
      role: 'admin',
    }));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await redis?.clear();
  });

  async function installation(): Promise<string> {
    const created = await app.get(InstallationRepository).create(orgId, {
      integrationId: 'fake',
      name: `Fake ${randomUUID().slice(0, 6)}`,
      mapping: { resources: [] },
      settings: { baseUrl: 'https://tool.example' },
    });
    return created.id;
  }

  /** The group commit over the real repository, counting transactions in flight and wake-ups. */
  function groupCommit() {
    const seen = { inFlight: 0, maxInFlight: 0, batches: 0, wakes: 0 };
    const counted: Pick<LiveEventRepository, 'acceptMany'> = {
      async acceptMany(...args: Parameters<LiveEventRepository['acceptMany']>) {
        seen.batches++;
        seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
        try {
          return await events.acceptMany(...args);
        } finally {
          seen.inFlight--;
        }
      },
    };
    const commit = new DeliveryGroupCommit(counted, () => {
      seen.wakes++;
      return Promise.resolve();
    });
    return { commit, seen };
  }

  const delivery = (n: number, overrides: Partial<VerifiedDelivery> = {}): VerifiedDelivery => {
    const body = { n, title: `Edit ${n}` };
    return {
      deliveryId: `d-${n}`,
      event: 'pull_request',
      headers: { 'x-github-event': 'pull_request' },
      body,
      bodyJson: JSON.stringify(body),
      ...overrides,
    };
  };

  const stored = (installationId: string) =>
    adminQuery<{ delivery_id: string | null; event: string; body: unknown }>(
      db,
      `SELECT delivery_id, event, body FROM live_events WHERE installation_id = $1 AND accepted ORDER BY id`,
      [installationId],
    );

  it('stores a burst in arrival order, several batches two transactions deep, one wake-up per batch', async () => {
    const installationId = await installation();
    const { commit, seen } = groupCommit();
    const answers = await Promise.all(Array.from({ length: 700 }, (_, n) => commit.accept(orgId, installationId, delivery(n))));
    expect(answers.every((answer) => answer === true)).toBe(true);
    const rows = await stored(installationId);
    expect(rows.map((row) => row.delivery_id)).toEqual(Array.from({ length: 700 }, (_, n) => `d-${n}`));
    expect(rows[3]!.body).toEqual({ n: 3, title: 'Edit 3' });
    expect(seen.batches).toBeGreaterThanOrEqual(3);
    expect(seen.maxInFlight).toBe(2);
    expect(seen.wakes).toBe(seen.batches);
  });

  it('answers a delivery id seen before, in the same burst or an earlier one, as a duplicate stored once', async () => {
    const installationId = await installation();
    const { commit } = groupCommit();
    expect(await commit.accept(orgId, installationId, delivery(1))).toBe(true);
    const answers = await Promise.all([1, 2, 3, 2, 4, 3].map((n) => commit.accept(orgId, installationId, delivery(n))));
    expect(answers).toEqual([false, true, true, false, true, false]);
    expect((await stored(installationId)).map((row) => row.delivery_id)).toEqual(['d-1', 'd-2', 'd-3', 'd-4']);
  });

  it('fails a delivery the database refuses alone and keeps the order of the batches behind it', async () => {
    const installationId = await installation();
    const { commit } = groupCommit();
    // A NUL in a text column is refused by PostgreSQL: its batch fails, is written one by one, and the
    // batch already inserted behind it rolls back and is written again after it.
    const refused = 130;
    const results = await Promise.allSettled(
      Array.from({ length: 600 }, (_, n) =>
        commit.accept(orgId, installationId, n === refused ? delivery(n, { event: 'pull\u0000request' }) : delivery(n)),
      ),
    );
    expect(results[refused]!.status).toBe('rejected');
    expect(results.filter((result) => result.status === 'fulfilled' && result.value === true)).toHaveLength(599);
    expect((await stored(installationId)).map((row) => row.delivery_id)).toEqual(
      Array.from({ length: 600 }, (_, n) => n)
        .filter((n) => n !== refused)
        .map((n) => `d-${n}`),
    );
  });

  it('stores a body whose text jsonb refuses (a number beyond its range) as parsed instead', async () => {
    const installationId = await installation();
    const { commit } = groupCommit();
    const text = '{"n":1e1000000,"title":"huge"}';
    const answers = await Promise.all([
      commit.accept(orgId, installationId, delivery(1)),
      commit.accept(orgId, installationId, { ...delivery(2), body: JSON.parse(text), bodyJson: text }),
      commit.accept(orgId, installationId, delivery(3)),
    ]);
    expect(answers).toEqual([true, true, true]);
    const rows = await stored(installationId);
    expect(rows.map((row) => row.delivery_id)).toEqual(['d-1', 'd-2', 'd-3']);
    // JSON.parse read the number as Infinity, which JSON writes as null.
    expect(rows[1]!.body).toEqual({ n: null, title: 'huge' });
  });
});
