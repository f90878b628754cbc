import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';

export interface ResponseCacheRow {
  readonly etag: string;
  /** The body as stored (compressed by the caller). */
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

// A hit refreshes `used_at` at most once a day: pruning needs only a coarse age, and an unchanged
// resync then reads its pages without writing a row per page.
const TOUCH_AFTER = '1 day';

/** The conditional-request cache of installations (`response_cache_entries`). */
@Injectable()
export class ResponseCacheRepository {
  constructor(private readonly db: Database) {}

  async find(orgId: string, installationId: string, url: string): Promise<ResponseCacheRow | null> {
    return this.db.inTenantSql(orgId, async (client) => {
      const key = [orgId, installationId, url];
      const { rows } = await client.query<ResponseCacheRow & { stale: boolean }>(
        `SELECT etag, body, headers, used_at < now() - interval '${TOUCH_AFTER}' AS stale
           FROM response_cache_entries WHERE org_id = $1 AND installation_id = $2 AND url = $3`,
        key,
      );
      const row = rows[0];
      if (!row) return null;
      if (row.stale) {
        await client.query(
          'UPDATE response_cache_entries SET used_at = now() WHERE org_id = $1 AND installation_id = $2 AND url = $3',
          key,
        );
      }
      return { etag: row.etag, body: row.body, headers: row.headers };
    });
  }

  async store(orgId: string, installationId: string, url: string, entry: ResponseCacheRow): Promise<void> {
    await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `INSERT INTO response_cache_entries (org_id, installation_id, url, etag, body, headers)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, installation_id, url)
         DO UPDATE SET etag = excluded.etag, body = excluded.body, headers = excluded.headers, stored_at = now(), used_at = now()`,
        [orgId, installationId, url, entry.etag, entry.body, JSON.stringify(entry.headers)],
      ),
    );
  }

  /** Removes the installation's entries no request used for `days` days (pages that no longer exist). */
  async prune(orgId: string, installationId: string, days: number): Promise<number> {
    const { rowCount } = await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `DELETE FROM response_cache_entries
          WHERE org_id = $1 AND installation_id = $2 AND used_at < now() - make_interval(days => $3)`,
        [orgId, installationId, days],
      ),
    );
    return rowCount ?? 0;
  }

  /** Entries and stored bytes of an installation (for tests and operators). */
  async size(orgId: string, installationId: string): Promise<{ entries: number; bytes: number }> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ entries: number; bytes: number }>(
        `SELECT count(*)::int AS entries, coalesce(sum(octet_length(body)), 0)::int AS bytes
           FROM response_cache_entries WHERE org_id = $1 AND installation_id = $2`,
        [orgId, installationId],
      ),
    );
    return rows[0] ?? { entries: 0, bytes: 0 };
  }
}
