import pg from 'pg';
import { inject } from 'vitest';
import type { TestDatabase } from './test-database.js';

/** Runs SQL on a test database as the superuser, past row-level security: to check what is stored. */
export async function adminQuery<T extends pg.QueryResultRow>(
  database: TestDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${database.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
