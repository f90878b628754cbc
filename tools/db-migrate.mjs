#!/usr/bin/env node
// npm run db:migrate                      apply pending migrations (as the owner role)
// npm run db:migration:new -- --name x    write prisma/migrations/<timestamp>_x from the schema change
//
// Migrations are plain Prisma migration folders. Where Prisma's native schema engine is available,
// `npx prisma migrate deploy` applies them identically; this tool uses the WASM build of that engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applyMigrations, diffSchemas, openSchemaEngine } from './lib/schema-engine.mjs';
import { tenantTablePolicies } from './lib/tenant-policies.mjs';
import { repoRoot } from './lib/paths.mjs';
import { startLocalPostgres } from './lib/local-infra.mjs';
import { freePort } from './lib/wait.mjs';

const defaultPrismaDir = path.join(repoRoot, 'prisma');

// prisma/migrated-schema.prisma is the schema as of the newest migration: the next migration is the
// diff from it to schema.prisma, as the WASM engine cannot replay migrations into a shadow database.
function prismaPaths(prismaDir) {
  return {
    schemaPath: path.join(prismaDir, 'schema.prisma'),
    migrationsDir: path.join(prismaDir, 'migrations'),
    migratedSchemaPath: path.join(prismaDir, 'migrated-schema.prisma'),
  };
}

export async function deploy(connectionString, { prismaDir = defaultPrismaDir, log = console.log } = {}) {
  const { schemaPath, migrationsDir } = prismaPaths(prismaDir);
  const engine = await openSchemaEngine({ schemaPath, connectionString });
  try {
    const applied = await applyMigrations(engine, migrationsDir);
    log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
    return applied;
  } finally {
    await engine.close();
  }
}

/**
 * Writes the migration that takes the database from the last migrated schema to schema.prisma,
 * with row-level security for every new table that has an org_id. Returns its directory, or
 * null when there is nothing to migrate. The engine needs a live connection even for this diff.
 */
export async function generateMigration({ name, connectionString, prismaDir = defaultPrismaDir, now = new Date() }) {
  if (!/^[a-z0-9_]+$/.test(name ?? '')) {
    throw new Error('--name is required: lower-case letters, digits and underscores, e.g. --name add_installations');
  }
  const { schemaPath, migrationsDir, migratedSchemaPath } = prismaPaths(prismaDir);
  const engine = await openSchemaEngine({ schemaPath, connectionString });
  try {
    const from = fs.existsSync(migratedSchemaPath)
      ? { path: migratedSchemaPath, content: fs.readFileSync(migratedSchemaPath, 'utf8') }
      : null;
    const ddl = await diffSchemas(engine, from, { path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') });
    if (!ddl.trim() || /^-- This is an empty migration/m.test(ddl)) return null;
    const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    const policies = tenantTablePolicies(ddl);
    fs.writeFileSync(path.join(dir, 'migration.sql'), policies ? `${ddl.trimEnd()}\n\n${policies}` : ddl);
    fs.copyFileSync(schemaPath, migratedSchemaPath);
    return dir;
  } finally {
    await engine.close();
  }
}

/** A throwaway server for commands that need a connection but no particular database. */
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
    const dir = await withScratchDatabase((connectionString) => generateMigration({ name: values.name, connectionString }));
    if (!dir) console.log('schema.prisma matches the last migration: nothing to generate');
    else console.log(`wrote ${path.relative(repoRoot, dir)}/migration.sql: review it, then run npm run db:migrate`);
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
