import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientRepository, Database, OrganizationRepository } from '@mooring/persistence';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Runs as the app role, exactly as the services connect. Row-level security must hold even for
// queries that forget their org filter.
describe('tenant isolation (row-level security)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = new Database({ url: testDb.appUrl, poolSize: 4 });
    await db.onModuleInit();
    const organizations = new OrganizationRepository(db);
    const client = (name: string) => ({ clientId: `mc_${name}`, secretHash: 'a'.repeat(64), name, role: 'admin' as const });
    orgA = (await organizations.createWithClient('org-a', client('a'))).organization.id;
    orgB = (await organizations.createWithClient('org-b', client('b'))).organization.id;
    await new ApiClientRepository(db).create(orgB, { ...client('b2'), role: 'member' });
  });

  afterAll(async () => {
    await db.onModuleDestroy();
    await testDb.drop();
  });

  it('shows org A only its own rows through a query with no org filter', async () => {
    const clients = await db.inTenant(orgA, (tx) => tx.apiClient.findMany());
    expect(clients.map((c) => c.clientId)).toEqual(['mc_a']);
    const orgs = await db.inTenant(orgA, (tx) => tx.organization.findMany());
    expect(orgs.map((o) => o.id)).toEqual([orgA]);

    const raw = await db.inTenantSql(orgA, (client) => client.query('SELECT client_id FROM api_clients'));
    expect(raw.rows).toEqual([{ client_id: 'mc_a' }]);
  });

  it('reads nothing of org B even when asking for org B by id', async () => {
    const found = await db.inTenant(orgA, (tx) => tx.apiClient.findMany({ where: { orgId: orgB } }));
    expect(found).toEqual([]);
    const org = await db.inTenant(orgA, (tx) => tx.organization.findUnique({ where: { id: orgB } }));
    expect(org).toBeNull();
  });

  it('cannot update or delete org B rows, nor write rows for org B', async () => {
    const updated = await db.inTenant(orgA, (tx) => tx.apiClient.updateMany({ where: { orgId: orgB }, data: { name: 'pwned' } }));
    expect(updated.count).toBe(0);
    const deleted = await db.inTenant(orgA, (tx) => tx.organization.deleteMany({ where: { id: orgB } }));
    expect(deleted.count).toBe(0);
    await expect(
      db.inTenant(orgA, (tx) =>
        tx.apiClient.create({ data: { orgId: orgB, clientId: 'mc_x', secretHash: 'x', name: 'x', role: 'admin' } }),
      ),
    ).rejects.toThrow(/row-level security/);
    const bNames = await db.inTenant(orgB, (tx) => tx.apiClient.findMany({ select: { name: true }, orderBy: { name: 'asc' } }));
    expect(bNames.map((c) => c.name)).toEqual(['b', 'b2']);
  });

  it('sees nothing at all outside a tenant transaction', async () => {
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM api_clients');
    expect(rows[0].n).toBe(0);
    expect(await db.prisma.organization.count()).toBe(0);
  });

  it('gives the app role no way around row-level security', async () => {
    const client = new pg.Client({ connectionString: testDb.appUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
      expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
      // row_security = off makes PostgreSQL raise instead of filtering for roles bound by RLS.
      await client.query('SET row_security = off');
      await expect(client.query('SELECT * FROM api_clients')).rejects.toThrow(/row-level security/);
      await client.query('RESET row_security');
      await expect(client.query('SET ROLE mooring_system')).rejects.toThrow(/permission denied/);
      await expect(client.query('ALTER TABLE api_clients DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
      await expect(client.query('SELECT * FROM _prisma_migrations')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it('has row-level security enabled and forced on every table with an org column', async () => {
    const client = new pg.Client({ connectionString: testDb.ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ table: string; enabled: boolean; forced: boolean; policies: number }>(
        `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') AS policies
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
                 OR c.relname = 'organizations')`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const row of rows) expect(row, row.table).toMatchObject({ enabled: true, forced: true, policies: 1 });
    } finally {
      await client.end();
    }
  });

  it('refuses to start as a role that row-level security does not bind', async () => {
    const asOwner = new Database({ url: testDb.ownerUrl, poolSize: 1 });
    try {
      await expect(asOwner.onModuleInit()).rejects.toThrow(/owns \d+ table\(s\)/);
    } finally {
      await asOwner.onModuleDestroy();
    }
  });

  it('finds an API client by client id before the org is known, and nothing more', async () => {
    const clients = new ApiClientRepository(db);
    const found = await clients.findSecretByClientId('mc_b2');
    expect(found).toMatchObject({ orgId: orgB, role: 'member' });
    expect(await clients.findSecretByClientId('mc_missing')).toBeNull();
  });
});
