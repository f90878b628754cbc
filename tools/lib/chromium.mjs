// Chromium for the browser tests: Debian's package (never a test tool's own browser download),
// installed from the OS packages when it is missing and we are allowed to (root, or password-less sudo).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function findChromium() {
  return process.env['MOORING_CHROMIUM'] ?? CANDIDATES.find((file) => fs.existsSync(file)) ?? which('chromium');
}

function installChromium(log) {
  if (!which('apt-get')) return false;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && which('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!asRoot && !sudo) return false;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  log('chromium is not installed: installing it from the OS packages (apt-get install chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (args) =>
    execFileSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env });
  exec(['apt-get', 'update', '-qq']);
  exec(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  return true;
}

/** The path of a Chromium binary, installing Debian's `chromium` if needed; throws saying what to install. */
export function ensureChromium(log = () => {}) {
  let binary = findChromium();
  if (!binary && installChromium(log)) binary = findChromium();
  if (!binary) {
    throw new Error(
      'The browser tests need Chromium and none was found. Install it (Debian/Ubuntu: `sudo apt-get install chromium`, ' +
        'Fedora: `sudo dnf install chromium`, macOS: install Chromium and set MOORING_CHROMIUM to its binary).',
    );
  }
  return binary;
}
