#!/usr/bin/env node
// Runs the Prisma CLI. Offline, the CLI cannot download its native schema engine and refuses to
// start, although `generate`, `validate` and `format` never use it: point it at a stub that fails
// loudly, so that a `migrate` command cannot silently succeed (use `npm run db:migrate` instead).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/paths.mjs';

const enginesDir = path.join(repoRoot, 'node_modules/@prisma/engines');
const hasNativeEngine = fs.existsSync(enginesDir) && fs.readdirSync(enginesDir).some((file) => file.startsWith('schema-engine'));
const env = { ...process.env };
if (!env['PRISMA_SCHEMA_ENGINE_BINARY'] && !hasNativeEngine) {
  env['PRISMA_SCHEMA_ENGINE_BINARY'] = path.join(repoRoot, 'tools/no-schema-engine.sh');
}
env['PRISMA_HIDE_UPDATE_MESSAGE'] = '1';
const cli = path.join(repoRoot, 'node_modules/prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: repoRoot });
process.exit(result.status ?? 1);
