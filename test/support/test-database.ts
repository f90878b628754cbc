import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ROLES, createDatabase, dropDatabase } from '../../tools/lib/postgres.mjs';
import { TEMPLATE_DATABASE, withDatabase } from './urls.js';

export interface TestDatabase {
  readonly name: string;
  /** As the app connects: the mooring_app role, bound by row-level security. */
  readonly appUrl: string;
  /** As migrations run: the owner role. */
  readonly ownerUrl: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (a copy of the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const passwords = inject('rolePasswords');
  const name = `test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await createDatabase(adminUrl, name, { template: TEMPLATE_DATABASE });
  return {
    name,
    appUrl: withDatabase(adminUrl, name, ROLES.app, passwords[ROLES.app]!),
    ownerUrl: withDatabase(adminUrl, name, ROLES.owner, passwords[ROLES.owner]!),
    drop: () => dropDatabase(adminUrl, name),
  };
}
