import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';
import { webBuildIsFresh, webRoot } from './web-build.mjs';

const bin = (name) => path.join(repoRoot, 'node_modules/.bin', name);

/**
 * Runs a command in the repository, streaming its output; throws naming the step if it fails.
 * `toStderr` sends the step's progress and output to stderr, for tools whose stdout is their result
 * (e.g. `org:create --json`).
 */
export function step(title, command, args, { env = {}, quiet = false, toStderr = false, cwd = repoRoot } = {}) {
  const started = Date.now();
  const log = toStderr ? process.stderr : process.stdout;
  log.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, {
    cwd,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : toStderr ? ['inherit', process.stderr, 'inherit'] : 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env },
  });
  if (result.status !== 0) throw new Error(`${title} failed (exit ${result.status ?? result.signal})`);
  log.write(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureDependencies({ toStderr = false } = {}) {
  const marker = path.join(repoRoot, 'node_modules/.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  step('install dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund'], { toStderr });
}

export function build({ toStderr = false } = {}) {
  step('generate the Prisma client', process.execPath, [path.join(repoRoot, 'tools/prisma.mjs'), 'generate'], { toStderr });
  step('build (tsc -b)', bin('tsc'), ['-b'], { toStderr });
  buildWeb({ toStderr });
}

/** The web console, served by the api at `/`: vite build into apps/web/dist when its sources changed. */
export function buildWeb({ force = false, toStderr = false } = {}) {
  if (!force && webBuildIsFresh()) {
    (toStderr ? process.stderr : process.stdout).write('\n✔ build the web console (vite): up to date\n');
    return;
  }
  // npm may install vite under apps/web (beside vitest's own copy at the root): use the one the web app gets.
  const local = path.join(webRoot, 'node_modules/.bin/vite');
  step('build the web console (vite)', fs.existsSync(local) ? local : bin('vite'), ['build', '--logLevel', 'warn'], {
    cwd: webRoot,
    toStderr,
  });
}

export { bin };
