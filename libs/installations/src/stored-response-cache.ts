import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { CachedResponse, ResponseCache } from '@mooring/integrations';
import type { ResponseCacheRepository } from '@mooring/persistence';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Entries no request used for this long are pages that no longer exist (deleted repositories). */
export const RESPONSE_CACHE_RETENTION_DAYS = 30;

/**
 * An installation's conditional-request cache in PostgreSQL, bodies gzip-compressed (a page of 100
 * GitHub repositories shrinks about tenfold). The first lookup of a connection prunes the entries
 * unused for 30 days, so the cache holds about one run's worth of pages.
 */
export class StoredResponseCache implements ResponseCache {
  private pruned: Promise<unknown> | undefined;

  constructor(
    private readonly repository: ResponseCacheRepository,
    private readonly orgId: string,
    private readonly installationId: string,
  ) {}

  async get(url: string): Promise<CachedResponse | undefined> {
    this.pruned ??= this.repository.prune(this.orgId, this.installationId, RESPONSE_CACHE_RETENTION_DAYS);
    await this.pruned;
    const row = await this.repository.find(this.orgId, this.installationId, url);
    if (!row) return undefined;
    return { etag: row.etag, body: (await gunzipAsync(row.body)).toString('utf8'), headers: row.headers };
  }

  async put(url: string, response: CachedResponse): Promise<void> {
    await this.repository.store(this.orgId, this.installationId, url, {
      etag: response.etag,
      body: await gzipAsync(response.body),
      headers: { ...response.headers },
    });
  }
}
