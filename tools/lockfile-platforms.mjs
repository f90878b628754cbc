#!/usr/bin/env node
// The npm registry this project is developed against lacks some platform builds of optional native
// packages (e.g. msgpackr-extract for macOS and Windows), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile. This adds an entry for each missing
// optional dependency whose platform is known from its name; npm never fetches those on other
// platforms. Run it after `npm install` changes the lockfile (npm test checks it).
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/paths.mjs';

const PLATFORM =
  /-(darwin|linux|win32|freebsd|android|sunos|openbsd)-(x64|arm64|arm|ia32|s390x|ppc64|riscv64)(?:-(gnu|musl|gnueabihf|msvc))?$/;

export function missingOptionalEntries(lock) {
  const packages = lock.packages;
  const missing = {};
  for (const [key, entry] of Object.entries(packages)) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${key ? `${key}/` : ''}node_modules/${name}`;
      if (packages[nested] || packages[`node_modules/${name}`]) continue;
      const platform = PLATFORM.exec(name);
      if (!platform || !/^\d+\.\d+\.\d+/.test(spec)) continue;
      const [, os, cpu, libc] = platform;
      missing[`node_modules/${name}`] = {
        version: spec,
        cpu: [cpu],
        ...(libc === 'gnu' || libc === 'musl' ? { libc: [libc === 'gnu' ? 'glibc' : 'musl'] } : {}),
        optional: true,
        os: [os],
      };
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = path.join(repoRoot, 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  const missing = missingOptionalEntries(lock);
  const names = Object.keys(missing);
  if (process.argv.includes('--check')) {
    if (names.length) {
      console.error(
        `package-lock.json lacks ${names.length} optional platform package(s): run node tools/lockfile-platforms.mjs`,
      );
      process.exit(1);
    }
  } else {
    lock.packages = Object.fromEntries(
      Object.entries({ ...lock.packages, ...missing }).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
    );
    fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(names.length ? `added ${names.join(', ')}` : 'package-lock.json is complete');
  }
}
