import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalPostgres, startLocalRedis } from '../../tools/lib/local-infra.mjs';
import { ROLES, createDatabase, dropDatabase, provisionRoles } from '../../tools/lib/postgres.mjs';
import { deploy } from '../../tools/db-migrate.mjs';
import { freePort } from '../../tools/lib/wait.mjs';
import { TEMPLATE_DATABASE, withDatabase } from '../support/urls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test server; each test file creates its database through it. */
    postgresAdminUrl: string;
    /** Passwords of the mooring_owner and mooring_app roles on the test server. */
    rolePasswords: Record<string, string>;
    redisUrl: string;
  }
}

/**
 * Real PostgreSQL and Redis for the whole run. Started here, in a temporary directory removed
 * afterwards, unless DATABASE_URL (a role allowed to create roles and databases) and REDIS_URL
 * name servers you run. A migrated template database makes each test file's fresh database a
 * cheap copy.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-test-'));
  const log = (line: string) => process.stderr.write(`[test infra] ${line}\n`);
  buildMappingWorker(log);
  const cleanups: Array<() => Promise<void>> = [() => Promise.resolve(fs.rmSync(stateDir, { recursive: true, force: true }))];

  let adminUrl = process.env['DATABASE_URL'];
  let rolePasswords: Record<string, string>;
  if (adminUrl) {
    rolePasswords = { [ROLES.owner]: crypto.randomUUID(), [ROLES.app]: crypto.randomUUID() };
    await provisionRoles(adminUrl, rolePasswords);
  } else {
    const postgres = await startLocalPostgres({ stateDir, port: await freePort(), durable: false, log });
    cleanups.push(() => postgres.stop());
    adminUrl = postgres.adminUrl;
    rolePasswords = postgres.secrets;
  }
  const admin = adminUrl;
  await dropDatabase(admin, TEMPLATE_DATABASE);
  await createDatabase(admin, TEMPLATE_DATABASE);
  cleanups.push(() => dropDatabase(admin, TEMPLATE_DATABASE));
  await deploy(withDatabase(admin, TEMPLATE_DATABASE, ROLES.owner, rolePasswords[ROLES.owner]!), { log: () => {} });

  let redisUrl = process.env['REDIS_URL'];
  if (!redisUrl) {
    const redis = await startLocalRedis({ stateDir, port: await freePort(), durable: false, log });
    cleanups.push(() => redis.stop());
    redisUrl = redis.url;
  }

  project.provide('postgresAdminUrl', admin);
  project.provide('rolePasswords', rolePasswords);
  project.provide('redisUrl', redisUrl);

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}

/**
 * Tests run the TypeScript sources, but mapping evaluation runs in worker threads, which load
 * build output (libs/sync/dist): build it (incremental, about a second when up to date).
 */
function buildMappingWorker(log: (line: string) => void): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'libs/sync/tsconfig.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`building libs/sync for the mapping worker failed:\n${result.stdout}${result.stderr}`);
  log('built libs/sync (the mapping worker)');
}
