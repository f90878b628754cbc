#!/usr/bin/env node
// npm run chaos [-- --runs 1000 --seed 42]: the chaos suite in full. Builds the apps (the suite
// runs their build output as processes), then runs test/chaos with CHAOS_RUNS randomised runs over
// a PostgreSQL and a Redis of its own. `npm test` runs the same suite short.
import { parseArgs } from 'node:util';
import { bin, build, ensureDependencies, step } from './lib/steps.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string' } },
});
if (!/^\d+$/.test(values.runs) || Number(values.runs) < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}
if (values.seed !== undefined && !/^\d+$/.test(values.seed)) {
  process.stderr.write('--seed must be a non-negative integer\n');
  process.exit(2);
}

try {
  ensureDependencies();
  build();
  step(`chaos suite (${values.runs} runs)`, bin('vitest'), ['run', 'test/chaos', '--reporter', 'verbose'], {
    env: { CHAOS_RUNS: values.runs, ...(values.seed === undefined ? {} : { CHAOS_SEED: values.seed }) },
  });
} catch (error) {
  process.stderr.write(`\n✖ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
