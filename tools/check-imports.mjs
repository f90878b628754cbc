#!/usr/bin/env node
// npm run check:imports (a step of npm test): the import graph the architecture promises.
// 1. No circular import in apps/ and libs/, type imports included. The same as
//    `npx madge --circular --extensions ts --ts-config tsconfig.check.json --exclude 'generated|dist|\.spec\.ts$' apps libs`.
// 2. Each process loads only what it runs: following the value imports (what Node loads) from
//    each app's main.ts, none of its forbidden libraries or packages is reached. On a failure the
//    chain of imports that reaches it is printed.
// 3. The sync engine's stage folders point one way (SYNC_STAGES): a stage imports its own folder
//    and earlier stages only, never a later stage nor the files at libs/sync/src's root that
//    compose them (run-sync.ts, the engine service, the module).
import madge from 'madge';
import { repoRoot } from './lib/paths.mjs';

const common = {
  baseDir: repoRoot,
  fileExtensions: ['ts'],
  tsConfig: 'tsconfig.check.json',
  excludeRegExp: [/\/generated\//, /\/dist\//, /\.spec\.ts$/],
};

/** What each process must never load (a library folder, or an npm package). */
const PROCESSES = {
  scheduler: {
    entry: 'apps/scheduler/src/main.ts',
    // Ticks, dispatch and pruning need PostgreSQL and Redis only: no engine, no tools, no secrets.
    forbidden: [
      'libs/sync',
      'libs/installations',
      'libs/integrations',
      'libs/crypto',
      'libs/outbound',
      'libs/catalog',
      'libs/identity',
      '@aws-sdk/client-kms',
      'jsonata',
      'passport-oauth2',
      'undici',
      '@nestjs/platform-express',
    ],
  },
  worker: {
    entry: 'apps/worker/src/main.ts',
    // Runs syncs: no HTTP API, no API clients or access tokens.
    forbidden: ['apps/api', 'apps/scheduler', 'libs/identity', '@nestjs/platform-express', 'jose'],
  },
  api: {
    entry: 'apps/api/src/main.ts',
    forbidden: ['apps/worker', 'apps/scheduler'],
  },
};

/**
 * libs/sync/src's folders in the order data flows through a run; each may import only the folders
 * before it. `read-model` (the API's sync-status view) stands apart at the end: nothing imports it.
 */
const SYNC_STAGES = ['tally', 'mapping', 'extract', 'map', 'load', 'live', 'reconcile', 'status', 'read-model'];
const SYNC_SRC = 'libs/sync/src/';

const problems = [];

const all = await madge(['apps', 'libs'], common);
for (const cycle of all.circular()) problems.push(`circular import: ${[...cycle, cycle[0]].join(' → ')}`);

for (const [file, imports] of Object.entries(all.obj())) {
  const from = syncStage(file);
  if (from === undefined || from === null) continue; // outside libs/sync, or its root: may import any stage
  for (const target of imports) {
    const to = syncStage(target);
    if (to === undefined || to === from) continue;
    const allowed = to !== null && SYNC_STAGES.indexOf(to) < SYNC_STAGES.indexOf(from);
    if (!allowed) problems.push(`libs/sync stage ${from ?? '(root)'} imports ${to ?? 'the root'}: ${file} → ${target}`);
  }
}

for (const [name, process_] of Object.entries(PROCESSES)) {
  const graph = (
    await madge(process_.entry, {
      ...common,
      includeNpm: true,
      detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } },
    })
  ).obj();
  for (const target of process_.forbidden) {
    const chain = chainTo(graph, process_.entry, (file) => owner(file) === target);
    if (chain) problems.push(`the ${name} loads ${target}: ${chain.join(' → ')}`);
  }
}

if (problems.length) {
  process.stderr.write(`${problems.map((problem) => `✖ ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `import graph: no circular import in ${Object.keys(all.obj()).length} modules; ${Object.keys(PROCESSES).join(', ')} load only what they run; libs/sync's stages point one way (${SYNC_STAGES.join(' → ')})\n`,
);

/**
 * The stage folder of a libs/sync source file, null for a file at its root (which composes the
 * stages and may import any), undefined outside libs/sync. An unknown folder is an error: a new
 * folder must be placed in SYNC_STAGES.
 */
function syncStage(file) {
  if (!file.startsWith(SYNC_SRC)) return undefined;
  const rest = file.slice(SYNC_SRC.length).split('/');
  if (rest.length === 1) return null;
  if (!SYNC_STAGES.includes(rest[0]))
    problems.push(`libs/sync folder ${rest[0]} is not in SYNC_STAGES (tools/check-imports.mjs)`);
  return rest[0];
}

/** `libs/sync`, `apps/api`, or the npm package a file belongs to. */
function owner(file) {
  const parts = file.split('/');
  if (parts[0] === 'node_modules') return parts[1].startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1];
  return parts.slice(0, 2).join('/');
}

/** The shortest chain of imports from `entry` to a file matching `found`, or null. */
function chainTo(graph, entry, found) {
  const previous = new Map([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift();
    if (found(file)) {
      const chain = [];
      for (let at = file; at !== null; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of graph[file] ?? []) {
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}
