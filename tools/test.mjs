#!/usr/bin/env node
// npm test [-- <vitest filters>]: the whole gate, in order of cost. Builds first because the
// end-to-end tests run the apps' build output as real processes (and the built console in
// Chromium). PostgreSQL and Redis are started by the test run itself (test/setup/global-setup.ts)
// unless DATABASE_URL / REDIS_URL are set.
import { ensureChromium } from './lib/chromium.mjs';
import { bin, build, ensureDependencies, step } from './lib/steps.mjs';

const vitestArgs = process.argv.slice(2);

try {
  step('lockfile installs with npm ci', process.execPath, ['tools/lockfile-platforms.mjs', '--check']);
  ensureDependencies();
  build();
  step('typecheck (sources, tests, tools)', bin('tsc'), ['-p', 'tsconfig.check.json']);
  step('typecheck the web console (DOM, JSX)', bin('tsc'), ['-p', 'apps/web/tsconfig.json']);
  step('compute the Nx project graph (for module boundaries)', bin('nx'), ['show', 'projects'], { quiet: true });
  step('lint (eslint, type-aware, module boundaries)', bin('eslint'), ['.', '--max-warnings', '0']);
  step('import graph (no circular import; each process loads only what it runs)', process.execPath, ['tools/check-imports.mjs']);
  step('format check (prettier)', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  process.stdout.write(`\n✔ Chromium for the browser tests: ${ensureChromium((line) => process.stdout.write(`${line}\n`))}\n`);
  step('tests (vitest, real PostgreSQL, Redis and Chromium)', bin('vitest'), ['run', ...vitestArgs]);
  process.stdout.write('\nAll checks passed.\n');
} catch (error) {
  process.stderr.write(`\n✖ ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
