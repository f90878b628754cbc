import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryGroupCommit, type VerifiedDelivery } from '@mooring/live-events';
import { Database, InstallationRepository, LiveEventRepository, OrganizationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The edge's group commit on real PostgreSQL: deliveries that arrive together share a transaction,
// and when PostgreSQL refuses one of them the others are still stored and answered, each with its
// own answer (stored, duplicate, or the refusal), in arrival order.
describe('delivery group commit', () => {
  let testDb: TestDatabase;
  let db: Database;
  let orgId: string;
  let installationId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = new Database({ url: testDb.appUrl, poolSize: 4 });
    await db.onModuleInit();
    const { organization } = await new OrganizationRepository(db).createWithClient('group-commit', {
      clientId: `mc_${randomUUID().slice(0, 8)}`,
      secretHash: 'x'.repeat(64),
      name: 'edge',
      role: 'admin',
    });
    orgId = organization.id;
    installationId = (
      await new InstallationRepository(db).create(orgId, {
        integrationId: 'github',
        name: 'GitHub',
        mapping: { resources: [] },
        settings: {},
      })
    ).id;
  });

  afterAll(async () => {
    await db?.onModuleDestroy();
    await testDb?.drop();
  });

  const delivery = (deliveryId: string, event = 'repository'): VerifiedDelivery => ({
    deliveryId,
    event,
    headers: { 'x-github-event': event, 'x-github-delivery': deliveryId },
    body: { action: 'edited', repository: { full_name: `octo-org/${deliveryId}` } },
  });

  it('stores the rest of a batch PostgreSQL refuses, and answers each delivery for itself', async () => {
    const woken: string[] = [];
    const commit = new DeliveryGroupCommit(new LiveEventRepository(db), (_org, installation) => {
      woken.push(installation);
      return Promise.resolve();
    });
    const first = await commit.accept(orgId, installationId, delivery('d-0'));
    expect(first).toBe(true);

    // Arriving together, so they are written together: one PostgreSQL refuses (a NUL in a text
    // column: SQLSTATE 22021), one repeats a delivery id stored before.
    const arrivals = [delivery('d-1'), delivery('d-2'), delivery('d-3', 'repository\u0000'), delivery('d-0'), delivery('d-4')];
    const answers = await Promise.allSettled(arrivals.map((d) => commit.accept(orgId, installationId, d)));
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'refused'))).toEqual([true, true, 'refused', false, true]);
    const refusal = answers[2] as PromiseRejectedResult;
    expect((refusal.reason as { code?: string }).code).toBe('22021');

    const rows = await adminQuery<{ delivery_id: string; status: string; accepted: boolean }>(
      testDb,
      'SELECT delivery_id, status, accepted FROM live_events WHERE installation_id = $1 ORDER BY id',
      [installationId],
    );
    expect(rows.filter((r) => r.accepted).map((r) => r.delivery_id)).toEqual(['d-0', 'd-1', 'd-2', 'd-4']);
    expect(rows.filter((r) => !r.accepted).map((r) => [r.delivery_id, r.status])).toEqual([['d-0', 'duplicate']]);
    expect(woken.length).toBeGreaterThanOrEqual(2);
    expect(new Set(woken)).toEqual(new Set([installationId]));
  });
});
