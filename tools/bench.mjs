#!/usr/bin/env node
// npm run bench -- <name> [args]: builds the libraries and bench/, then runs bench/<name>.bench.ts.
// Benchmarks measure; tests never time anything.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib/paths.mjs';
import { bin, build, ensureDependencies, step } from './lib/steps.mjs';

const [name, ...args] = process.argv.slice(2);
const entry = name && path.join(repoRoot, 'bench/dist/bench', `${name}.bench.js`);
if (!name || !fs.existsSync(path.join(repoRoot, 'bench', `${name}.bench.ts`))) {
  const names = fs
    .readdirSync(path.join(repoRoot, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace('.bench.ts', ''));
  process.stderr.write(`usage: npm run bench -- <${names.join('|')}> [args]\n`);
  process.exit(2);
}
ensureDependencies();
build();
step('build the benchmarks', bin('tsc'), ['-p', 'bench/tsconfig.json']);
process.stdout.write(`\n▶ bench ${name} ${args.join(' ')}\n`);
const result = spawnSync(process.execPath, [entry, ...args], { cwd: repoRoot, stdio: 'inherit' });
process.exit(result.status ?? 1);
