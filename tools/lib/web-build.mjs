// The web console's build: `vite build` into apps/web/dist, which the api serves at `/`.
// Skipped when the output is newer than everything it is built from.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.mjs';

export const webRoot = path.join(repoRoot, 'apps/web');
export const webDist = path.join(webRoot, 'dist');

// What the bundle is made of: the app, the shared libs it may import, and the installed versions.
const INPUTS = ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.ts', 'apps/web/package.json', 'package-lock.json'];
const SHARED_LIBS = ['libs/contract/src'];

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

export function webBuildIsFresh() {
  const index = path.join(webDist, 'index.html');
  if (!fs.existsSync(index)) return false;
  const built = fs.statSync(index).mtimeMs;
  return [...INPUTS, ...SHARED_LIBS].every((input) => newestMtime(path.join(repoRoot, input)) <= built);
}
