import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakePagerduty, testConnection } from '@mooring/integrations/testing';
import {
  BlueprintRepository,
  Database,
  InstallationRepository,
  OrganizationRepository,
  SyncCatalogRepository,
  SyncRunRepository,
  type SyncRunRecord,
} from '@mooring/persistence';
import { runSync, type SyncDependencies } from '@mooring/sync';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// PagerDuty through the sync engine: the fake PagerDuty on loopback, the real catalog in
// PostgreSQL, the default blueprints and mapping. An unchanged resync writes nothing; a revoked key
// ends the run CREDENTIALS_INVALID and deletes nothing, even what PagerDuty no longer lists.

const KEY = 'u+pdSyncKey0123456789';
const pagerduty = IntegrationRegistry.fromConfig({ fakeEnabled: false }).get('pagerduty');

describe('PagerDuty through the sync engine', () => {
  let testDb: TestDatabase;
  let db: Database;
  let fake: FakePagerduty;
  let orgId: string;
  let installationId: string;
  let deps: SyncDependencies;
  const rejected: string[] = [];

  const sync = async (): Promise<SyncRunRecord> => {
    const run = await deps.runs.create(orgId, installationId, 'manual');
    return runSync({ orgId, installationId, runId: run.id }, deps);
  };
  const identifiers = async (blueprint: string) => {
    const { rows } = await db.inTenantSql(orgId, (client) =>
      client.query<{ identifier: string }>('SELECT identifier FROM entities WHERE blueprint = $1 AND NOT placeholder', [blueprint]),
    );
    return rows.map((row) => row.identifier).sort();
  };
  const written = async (run: SyncRunRecord) => {
    const { rows } = await db.inTenantSql(orgId, (client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
    );
    return rows[0]!.n + run.deleted;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = new Database({ url: testDb.appUrl, poolSize: 4 });
    await db.onModuleInit();
    // 130 users and 150 incidents: listings of two pages.
    fake = await FakePagerduty.start({ shape: { services: 8, users: 130, teams: 2, incidents: 150, incidentDays: 20 } });
    fake.addApiKey(KEY);
    const { organization } = await new OrganizationRepository(db).createWithClient('pagerduty-sync', {
      clientId: `mc_${Math.random().toString(36).slice(2)}`,
      secretHash: 'x'.repeat(64),
      name: 'sync',
      role: 'admin',
    });
    orgId = organization.id;
    const blueprints = new BlueprintRepository(db);
    for (const blueprint of pagerduty.defaultBlueprints) {
      await blueprints.create(orgId, {
        ...blueprint,
        schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
        relations: blueprint.relations ?? {},
      });
    }
    const installation = await new InstallationRepository(db).create(orgId, {
      integrationId: 'pagerduty',
      name: 'PagerDuty',
      mapping: pagerduty.defaultMapping,
      settings: { apiUrl: fake.apiUrl },
    });
    installationId = installation.id;
    deps = {
      installations: new InstallationRepository(db),
      runs: new SyncRunRepository(db),
      catalog: new SyncCatalogRepository(db),
      blueprints,
      integrations: () => pagerduty,
      connect: (record, signal) =>
        Promise.resolve({
          ...testConnection(record.settings, KEY, { signal, authMethod: 'custom_settings' }),
          credentialsRejected: (reason: string) => Promise.resolve(void rejected.push(reason)),
        }),
    };
  });

  afterAll(async () => {
    await fake?.close();
    await db?.onModuleDestroy();
    await testDb?.drop();
  });

  it('writes every default kind on a first sync, and nothing on an unchanged resync', async () => {
    const first = await sync();
    expect(first, first.errorMessage ?? '').toMatchObject({ status: 'completed', deleted: 0 });
    const fetched = Object.fromEntries(first.resources.map((r) => [r.kind, r.fetched]));
    expect(fetched).toEqual({
      user: 130,
      team: 2,
      schedule: 2,
      'escalation-policy': 2,
      service: 8,
      incident: 150,
      oncall: 4,
    });
    expect(await identifiers('pagerdutyService')).toHaveLength(8);
    expect(await identifiers('pagerdutyIncident')).toHaveLength(150);
    const unchanged = await sync();
    expect(unchanged).toMatchObject({ status: 'completed', deleted: 0 });
    expect(await written(unchanged)).toBe(0);
  });

  it('ends the run CREDENTIALS_INVALID when the key is revoked, and deletes nothing', async () => {
    fake.services.delete('PSVC8');
    fake.revoke(KEY);
    const run = await sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(rejected.length).toBeGreaterThan(0);
    expect(await identifiers('pagerdutyService')).toContain('PSVC8');
    expect(await identifiers('pagerdutyIncident')).toHaveLength(150);
  });
});
