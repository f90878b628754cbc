import { Redis } from 'ioredis';
import { adminQuery } from './admin-query.js';
import type { TestDatabase } from './test-database.js';
import type { TestRedis } from './test-redis.js';

export interface LeakSources {
  readonly logs?: readonly string[];
  /** API response bodies, error bodies and redirect locations. */
  readonly responses?: readonly string[];
  /** Every key of the namespace: job payloads, BullMQ state. */
  readonly redis?: TestRedis;
  /** Every row of every table, read as a superuser (past row-level security). */
  readonly database?: TestDatabase;
}

/**
 * Where any of `secrets` appears in plaintext (also JSON-escaped, URL-encoded, or hex as PostgreSQL
 * prints bytea). Returns a description of each place, so a failing test names the leak.
 */
export async function findSecretLeaks(secrets: readonly string[], sources: LeakSources): Promise<string[]> {
  const forms = secrets.flatMap((secret) => [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString('hex'),
  ]);
  const leaks: string[] = [];
  const check = (where: string, text: string) => {
    for (const form of forms)
      if (text.includes(form)) leaks.push(`${where}: …${text.slice(Math.max(0, text.indexOf(form) - 60), text.indexOf(form))}`);
  };
  sources.logs?.forEach((line, index) => check(`log line ${index}`, line));
  sources.responses?.forEach((body, index) => check(`response ${index}`, body));
  if (sources.redis) for (const [key, value] of await dumpRedis(sources.redis)) check(`redis ${key}`, value);
  if (sources.database) for (const [table, row] of await dumpDatabase(sources.database)) check(`table ${table}`, row);
  return leaks;
}

async function dumpRedis(redis: TestRedis): Promise<Array<[string, string]>> {
  const client = new Redis(redis.url);
  const entries: Array<[string, string]> = [];
  try {
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `${redis.keyPrefix}:*`, count: 500 }) as AsyncIterable<string[]>)
      keys.push(...batch);
    for (const key of keys) {
      const type = await client.type(key);
      const value =
        type === 'string'
          ? await client.get(key)
          : type === 'hash'
            ? await client.hgetall(key)
            : type === 'list'
              ? await client.lrange(key, '0', '-1')
              : type === 'set'
                ? await client.smembers(key)
                : type === 'zset'
                  ? await client.zrange(key, '0', '-1')
                  : type === 'stream'
                    ? await client.xrange(key, '-', '+')
                    : null;
      entries.push([key, JSON.stringify(value)]);
    }
  } finally {
    client.disconnect();
  }
  if (!entries.length) throw new Error(`no Redis keys under ${redis.keyPrefix}: the scan would prove nothing`);
  return entries;
}

async function dumpDatabase(database: TestDatabase): Promise<Array<[string, string]>> {
  const tables = await adminQuery<{ name: string }>(
    database,
    `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
  );
  const rows: Array<[string, string]> = [];
  for (const { name } of tables) {
    for (const { row } of await adminQuery<{ row: string }>(database, `SELECT t::text AS row FROM "${name}" t`))
      rows.push([name, row]);
  }
  return rows;
}
