#!/usr/bin/env node
// npm run org:create -- --name acme [--json]
// Creates an organization with an admin API client and prints its credentials once. Uses
// DATABASE_URL, or the local stack that `npm start` runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/paths.mjs';
import { build, ensureDependencies } from './lib/steps.mjs';

const entry = path.join(repoRoot, 'apps/api/dist/cli/org-create.js');
const env = { ...process.env };

try {
  ensureDependencies();
  if (!fs.existsSync(entry)) build();
  if (!env.DATABASE_URL) {
    const secretsFile = path.join(repoRoot, '.mooring/local-secrets.json');
    if (!fs.existsSync(secretsFile)) throw new Error('set DATABASE_URL, or start the local stack first with `npm start`');
    const { databaseUrl } = await import('./lib/postgres.mjs');
    const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
    const port = Number(env.MOORING_LOCAL_PG_PORT ?? 54329);
    env.DATABASE_URL = databaseUrl({ port, role: 'mooring_app', password: secrets.mooring_app, database: 'mooring' });
  }
  const result = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(result.status ?? 1);
} catch (error) {
  process.stderr.write(`org:create: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
