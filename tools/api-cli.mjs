#!/usr/bin/env node
// npm run org:create | org:limits | user:create | vault:rewrap -- [args]: runs the api's command-line tools
// (apps/api/src/cli) with DATABASE_URL (and, for the vault, the VAULT_* variables), or else with
// the local stack that `npm start` runs. Stdout carries only the tool's own output (building goes to
// stderr), so `npm run -s org:create -- --json` prints the JSON alone (-s keeps npm's banner off stdout).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/paths.mjs';
import { build, ensureDependencies } from './lib/steps.mjs';

const COMMANDS = {
  'org-create': { vault: false },
  'org-limits': { vault: false },
  'user-create': { vault: false },
  'vault-rewrap': { vault: true },
};
const [command, ...args] = process.argv.slice(2);

try {
  if (!command || !(command in COMMANDS))
    throw new Error(`usage: node tools/api-cli.mjs <${Object.keys(COMMANDS).join('|')}> [args]`);
  const entry = path.join(repoRoot, `apps/api/dist/cli/${command}.js`);
  const env = { ...process.env };
  ensureDependencies({ toStderr: true });
  if (!fs.existsSync(entry)) build({ toStderr: true });
  if (args.includes('--json') && env.npm_lifecycle_event && env.npm_config_loglevel !== 'silent') {
    process.stderr.write(
      `npm printed its "> ${env.npm_lifecycle_event}" banner on stdout: run \`npm run -s …\` for JSON alone\n`,
    );
  }
  const stateDir = path.join(repoRoot, '.mooring');
  if (!env.DATABASE_URL) {
    const secretsFile = path.join(stateDir, 'local-secrets.json');
    if (!fs.existsSync(secretsFile)) throw new Error('set DATABASE_URL, or start the local stack first with `npm start`');
    const { databaseUrl } = await import('./lib/postgres.mjs');
    const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
    const port = Number(env.MOORING_LOCAL_PG_PORT ?? 54329);
    env.DATABASE_URL = databaseUrl({ port, role: 'mooring_app', password: secrets.mooring_app, database: 'mooring' });
  }
  const keyFile = path.join(stateDir, 'vault-master-key.json');
  if (COMMANDS[command].vault && !env.VAULT_LOCAL_MASTER_KEY && env.VAULT_KEY_PROVIDER !== 'aws-kms' && fs.existsSync(keyFile)) {
    env.VAULT_LOCAL_MASTER_KEY = JSON.parse(fs.readFileSync(keyFile, 'utf8')).key;
  }
  const result = spawnSync(process.execPath, [entry, ...args], { stdio: 'inherit', env });
  process.exit(result.status ?? 1);
} catch (error) {
  process.stderr.write(`${command ?? 'api-cli'}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
