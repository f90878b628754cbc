// A real Redis server for local runs and tests: the system's redis-server, installed from the OS
// packages when it is missing and we are allowed to (root, or password-less sudo, with apt-get).
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { waitFor } from './wait.mjs';

const CANDIDATES = [
  '/usr/bin/redis-server',
  '/usr/local/bin/redis-server',
  '/usr/sbin/redis-server',
  '/opt/homebrew/bin/redis-server',
];

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function findRedisServer() {
  return process.env['MOORING_REDIS_SERVER'] ?? which('redis-server') ?? CANDIDATES.find((file) => fs.existsSync(file));
}

function installRedis(log) {
  if (!which('apt-get')) return false;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && which('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!asRoot && !sudo) return false;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  log('redis-server is not installed: installing it from the OS packages (apt-get install redis-server)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (args) =>
    execFileSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env });
  exec(['apt-get', 'update', '-qq']);
  exec(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
  return true;
}

export function ensureRedisServer(log = () => {}) {
  let binary = findRedisServer();
  if (!binary && installRedis(log)) binary = findRedisServer();
  if (!binary) {
    throw new Error(
      'Redis is required and redis-server was not found. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
        'macOS: `brew install redis`) or set REDIS_URL to a Redis server you run yourself.',
    );
  }
  return binary;
}

function ping(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // A server with a password answers NOAUTH to a bare PING: it is up all the same.
      if (data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH')) resolve();
      else reject(new Error(`unexpected reply ${data.toString().trim()}`));
    });
  });
}

/**
 * Starts redis-server on 127.0.0.1:`port` with BullMQ's required `noeviction` policy; with
 * `password`, clients must authenticate (its URL carries it).
 */
export async function startRedis({ port, dir, durable = true, password, log = () => {} }) {
  const binary = ensureRedisServer(log);
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--maxmemory-policy', 'noeviction', '--save', ''];
  args.push('--appendonly', durable ? 'yes' : 'no');
  if (password) args.push('--requirepass', password);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  await waitFor(`Redis on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
    await ping(port);
  });
  log(`Redis listening on 127.0.0.1:${port}`);
  return {
    url: password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
