#!/usr/bin/env node
// npm run db:migrate                      apply pending migrations (as the owner role)
// npm run db:migration:new -- --name x    write prisma/migrations/<timestamp>_x from the schema change
//
// Migrations are plain Prisma migration folders. Where Prisma's native schema engine is available,
// `npx prisma migrate deploy` applies them identically; this tool uses the WASM build of that engine.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applyMigrations, diffSchemas, openSchemaEngine } from './lib/schema-engine.mjs';
import { tenantTablePolicies } from './lib/tenant-policies.mjs';
import { repoRoot } from './lib/paths.mjs';
import { startLocalPostgres } from './lib/local-infra.mjs';
import { freePort } from './lib/wait.mjs';
import os from 'node:os';

const schemaPath = path.join(repoRoot, 'prisma/schema.prisma');
const migrationsDir = path.join(repoRoot, 'prisma/migrations');
// The schema as of the newest migration: the "from" side of the next diff. Kept beside the
// migrations: the next migration is the diff from it, as the WASM engine cannot use a shadow database.
const migratedSchemaPath = path.join(repoRoot, 'prisma/migrated-schema.prisma');

export async function deploy(connectionString, { log = console.log } = {}) {
  const engine = await openSchemaEngine({ schemaPath, connectionString });
  try {
    const applied = await applyMigrations(engine, migrationsDir);
    log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
    return applied;
  } finally {
    await engine.close();
  }
}

/** The engine insists on a live connection even for a schema-to-schema diff; a throwaway server will do. */
async function withScratchDatabase(fn) {
  const given = process.env['DATABASE_MIGRATION_URL'];
  if (given) return fn(given);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-migration-'));
  const server = await startLocalPostgres({ stateDir, port: await freePort(), durable: false, log: () => {} });
  try {
    return await fn(server.migrationUrl);
  } finally {
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

async function newMigration(name) {
  if (!/^[a-z0-9_]+$/.test(name ?? '')) {
    throw new Error('--name is required: lower-case letters, digits and underscores, e.g. --name add_installations');
  }
  await withScratchDatabase((connectionString) => writeMigration(name, connectionString));
}

async function writeMigration(name, connectionString) {
  const engine = await openSchemaEngine({ schemaPath, connectionString });
  try {
    const from = fs.existsSync(migratedSchemaPath)
      ? { path: migratedSchemaPath, content: fs.readFileSync(migratedSchemaPath, 'utf8') }
      : null;
    const schema = fs.readFileSync(schemaPath, 'utf8');
    const ddl = await diffSchemas(engine, from, { path: schemaPath, content: schema });
    if (!ddl.trim() || /^-- This is an empty migration/m.test(ddl)) {
      console.log('schema.prisma matches the last migration: nothing to generate');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    const policies = tenantTablePolicies(ddl);
    fs.writeFileSync(path.join(dir, 'migration.sql'), policies ? `${ddl.trimEnd()}\n\n${policies}` : ddl);
    fs.copyFileSync(schemaPath, migratedSchemaPath);
    console.log(`wrote ${path.relative(repoRoot, dir)}/migration.sql`);
    if (policies) console.log('row-level security was added for the new tenant tables; review it');
  } finally {
    await engine.close();
  }
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { name: { type: 'string' } } });
  const command = positionals[0];
  if (command === 'deploy') {
    const url = process.env['DATABASE_MIGRATION_URL'];
    if (!url) {
      throw new Error('DATABASE_MIGRATION_URL is not set: the owner role that runs migrations (see README, Configuration)');
    }
    await deploy(url);
  } else if (command === 'new') {
    await newMigration(values.name);
  } else {
    throw new Error('usage: db-migrate.mjs deploy | new --name <snake_case_name>');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(`db-migrate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
