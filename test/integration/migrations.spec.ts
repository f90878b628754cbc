import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { deploy, generateMigration } from '../../tools/db-migrate.mjs';
import { tenantTablePolicies } from '../../tools/lib/tenant-policies.mjs';
import { ROLES, createDatabase, dropDatabase } from '../../tools/lib/postgres.mjs';
import { inject } from 'vitest';
import { repoRoot } from '../support/processes.js';
import { withDatabase } from '../support/urls.js';

const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `migrate_${Math.random().toString(36).slice(2, 10)}`;
  await createDatabase(inject('postgresAdminUrl'), name);
  created.push(name);
  return withDatabase(inject('postgresAdminUrl'), name, ROLES.owner, inject('rolePasswords')[ROLES.owner]!);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) await dropDatabase(inject('postgresAdminUrl'), name);
});

describe('migrations', () => {
  it('apply to an empty database once, recorded as prisma migrate deploy records them', async () => {
    const url = await emptyDatabase();
    const applied = await deploy(url, { log: () => {} });
    expect(applied).toContain('20261123000000_init');
    expect(await deploy(url, { log: () => {} })).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(repoRoot, 'prisma/migrations', row.migration_name, 'migration.sql'));
      // prisma migrate deploy refuses a database whose recorded checksums differ from the files.
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
    expect(fs.readFileSync(path.join(repoRoot, 'prisma/migrations/migration_lock.toml'), 'utf8')).toContain(
      'provider = "postgresql"',
    );
  });

  it('adds row-level security to every new table with an org_id, and to no other', () => {
    const ddl = [
      'CREATE TABLE "widgets" (\n    "id" UUID NOT NULL,\n    "org_id" UUID NOT NULL,\n\n    CONSTRAINT "widgets_pkey" PRIMARY KEY ("id")\n);',
      'CREATE TABLE "currencies" (\n    "code" TEXT NOT NULL,\n    "origin_id" TEXT\n);',
    ].join('\n\n');
    const policies = tenantTablePolicies(ddl);
    expect(policies).toContain('ALTER TABLE "widgets" FORCE ROW LEVEL SECURITY;');
    expect(policies).toContain('CREATE POLICY tenant_isolation ON "widgets"');
    expect(policies).not.toContain('currencies');
    expect(tenantTablePolicies('ALTER TABLE "x" ADD COLUMN "org_id" UUID;')).toBe('');
  });

  it('generates a migration from a schema change with one command, which then applies with RLS', async () => {
    const prismaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-prisma-'));
    try {
      fs.cpSync(path.join(repoRoot, 'prisma'), prismaDir, { recursive: true });
      const url = await emptyDatabase();
      expect(await generateMigration({ name: 'nothing', connectionString: url, prismaDir })).toBeNull();

      const schemaPath = path.join(prismaDir, 'schema.prisma');
      fs.appendFileSync(
        schemaPath,
        '\nmodel Widget {\n  id    String @id @db.Uuid\n  orgId String @map("org_id") @db.Uuid\n  name  String\n\n  @@map("widgets")\n}\n',
      );
      const dir = await generateMigration({
        name: 'add_widgets',
        connectionString: url,
        prismaDir,
        now: new Date('2030-01-01T00:00:00Z'),
      });
      expect(path.basename(dir!)).toBe('20300101000000_add_widgets');
      const sql = fs.readFileSync(path.join(dir!, 'migration.sql'), 'utf8');
      expect(sql).toContain('CREATE TABLE "widgets"');
      expect(sql).toContain('ALTER TABLE "widgets" FORCE ROW LEVEL SECURITY;');
      expect(fs.readFileSync(path.join(prismaDir, 'migrated-schema.prisma'), 'utf8')).toBe(fs.readFileSync(schemaPath, 'utf8'));

      const existing = fs
        .readdirSync(path.join(repoRoot, 'prisma/migrations'), { withFileTypes: true })
        .filter((e) => e.isDirectory());
      expect(await deploy(url, { prismaDir, log: () => {} })).toEqual([
        ...existing.map((e) => e.name).sort(),
        '20300101000000_add_widgets',
      ]);
      const [widgets] = await query<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        url,
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'widgets'",
      );
      expect(widgets).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
      const grants = await query<{ privilege_type: string }>(
        url,
        "SELECT privilege_type FROM information_schema.role_table_grants WHERE table_name = 'widgets' AND grantee = 'mooring_app' ORDER BY 1",
      );
      expect(grants.map((g) => g.privilege_type)).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    } finally {
      fs.rmSync(prismaDir, { recursive: true, force: true });
    }
  });

  it('leaves nothing half-applied when a migration fails', async () => {
    const prismaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-prisma-'));
    try {
      fs.cpSync(path.join(repoRoot, 'prisma'), prismaDir, { recursive: true });
      const broken = path.join(prismaDir, 'migrations/20300101000000_broken');
      fs.mkdirSync(broken);
      fs.writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "half" ("id" INT);\nSELECT * FROM no_such_table;\n');
      const url = await emptyDatabase();
      await expect(deploy(url, { prismaDir, log: () => {} })).rejects.toThrow(/no_such_table/);
      const tables = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'half'");
      expect(tables[0]!.n).toBe(0);
    } finally {
      fs.rmSync(prismaDir, { recursive: true, force: true });
    }
  });
});
