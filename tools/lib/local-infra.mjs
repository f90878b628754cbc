// Local PostgreSQL + Redis for `npm start`, `npm test` and migration authoring, used only when the
// caller did not supply DATABASE_URL / REDIS_URL.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROLES, createDatabase, databaseUrl, provisionRoles, startPostgres } from './postgres.mjs';
import { startRedis } from './redis.mjs';

const DATABASE = 'mooring';

function loadOrCreateSecrets(stateDir) {
  const file = path.join(stateDir, 'local-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secret = () => crypto.randomBytes(18).toString('base64url');
  const secrets = { superuser: secret(), [ROLES.owner]: secret(), [ROLES.app]: secret() };
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * Starts PostgreSQL with Mooring's roles and an empty `mooring` database owned by the migration role.
 * Returns the admin, owner (migration) and app URLs.
 */
export async function startLocalPostgres({ stateDir, port, durable, log }) {
  const secrets = loadOrCreateSecrets(stateDir);
  const server = await startPostgres({
    dataDir: path.join(stateDir, 'postgres'),
    port,
    superuserPassword: secrets.superuser,
    durable,
    log,
  });
  await provisionRoles(server.adminUrl, secrets);
  await createDatabase(server.adminUrl, DATABASE);
  const url = (role) => databaseUrl({ port, role, password: secrets[role], database: DATABASE });
  return {
    adminUrl: server.adminUrl,
    migrationUrl: url(ROLES.owner),
    databaseUrl: url(ROLES.app),
    secrets,
    stop: server.stop,
    crash: server.crash,
  };
}

export async function startLocalRedis({ stateDir, port, durable, password, log }) {
  return startRedis({ port, dir: path.join(stateDir, 'redis'), durable, password, log });
}
