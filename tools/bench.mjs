#!/usr/bin/env node
// npm run bench -- <name> [args]: builds the libraries and bench/, then runs bench/<name>.bench.ts,
// or the generic integration benchmark with the scenario in the integration's folder.
// Benchmarks measure; tests never time anything.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib/paths.mjs';
import { bin, build, ensureDependencies, step } from './lib/steps.mjs';

const [name, ...args] = process.argv.slice(2);
// bench/<name>.bench.ts, or an integration's scenario (libs/integrations/src/<name>/testing/bench-scenario.ts).
const own = name && fs.existsSync(path.join(repoRoot, 'bench', `${name}.bench.ts`));
const integration = name && fs.existsSync(path.join(repoRoot, 'libs/integrations/src', name, 'testing/bench-scenario.ts'));
if (!own && !integration) {
  const names = fs
    .readdirSync(path.join(repoRoot, 'bench'))
    .filter((f) => f.endsWith('.bench.ts') && f !== 'integration.bench.ts')
    .map((f) => f.replace('.bench.ts', ''));
  const integrations = fs
    .readdirSync(path.join(repoRoot, 'libs/integrations/src'))
    .filter((f) => fs.existsSync(path.join(repoRoot, 'libs/integrations/src', f, 'testing/bench-scenario.ts')));
  process.stderr.write(`usage: npm run bench -- <${[...names, ...integrations].join('|')}> [args]\n`);
  process.exit(2);
}
const entry = path.join(repoRoot, 'bench/dist/bench', own ? `${name}.bench.js` : 'integration.bench.js');
const entryArgs = own ? args : [name, ...args];
ensureDependencies();
build();
step('build the benchmarks', bin('tsc'), ['-p', 'bench/tsconfig.json']);
process.stdout.write(`\n▶ bench ${name} ${args.join(' ')}\n`);
// V8 sized as a worker in a 256 MiB container would be (docs/operations.md): without a cap V8 lets
// garbage pile up far beyond the live heap (~50 MiB) before collecting it.
const V8_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=192'];
const result = spawnSync(process.execPath, [...V8_FLAGS, entry, ...entryArgs], { cwd: repoRoot, stdio: 'inherit' });
process.exit(result.status ?? 1);
