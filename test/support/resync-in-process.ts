import { expect } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import type { SyncRunRecord } from '@mooring/persistence';
import { SyncEngine } from '@mooring/sync';
import { adminQuery } from './admin-query.js';
import { endedRecord } from './run-outcome.js';
import type { TestApi, TestOrganization } from './test-api.js';

// Specs without a worker: the API asks for a resync and the engine runs it here, as a worker would.

/**
 * Asks the API for a resync and runs it to its end in this process. The run is the new one (202),
 * or the one already waiting (409 names it), such as the first run an install queued.
 */
export async function resyncInProcess(api: TestApi, org: TestOrganization, installationId: string): Promise<SyncRunRecord> {
  const requested = await api.request('POST', `/v1/installations/${installationId}/resync`, { token: org.token });
  const runId = (requested.status === 202 ? requested.body.run.id : requested.body.error.details.runId) as string;
  const connections = api.app.get(IntegrationConnections);
  return endedRecord(
    await api.app
      .get(SyncEngine)
      .run({ orgId: org.orgId, installationId, runId }, (installation, signal) => connections.forRecord(installation, signal)),
  );
}

export interface CatalogRow {
  blueprint: string;
  identifier: string;
  title: string;
  properties: unknown;
  relations: unknown;
  content_hash: string;
}

/** Every entity of the organization as stored, content hash included: what a comparison of two catalogs needs. */
export function catalogOf(api: TestApi, org: TestOrganization): Promise<CatalogRow[]> {
  return adminQuery<CatalogRow>(
    api.db,
    'SELECT blueprint, identifier, title, properties, relations, content_hash FROM entities WHERE org_id = $1 ORDER BY 1, 2',
    [org.orgId],
  );
}

/** One entity of the organization as stored, or undefined. */
export async function entityOf(
  api: TestApi,
  org: TestOrganization,
  blueprint: string,
  identifier: string,
): Promise<{ title: string; properties: Record<string, unknown>; relations: Record<string, unknown> } | undefined> {
  const rows = await adminQuery<{ title: string; properties: Record<string, unknown>; relations: Record<string, unknown> }>(
    api.db,
    'SELECT title, properties, relations FROM entities WHERE org_id = $1 AND blueprint = $2 AND identifier = $3',
    [org.orgId, blueprint, identifier],
  );
  return rows[0];
}

/**
 * After live events: the next resync completes and writes nothing, and the catalog is what the
 * events made it (nothing deleted, every row as it was). Kinds in `except` (whose events are
 * known to differ) are left out, and then neither deletions nor the catalog are compared.
 */
export async function expectResyncAgrees(
  api: TestApi,
  org: TestOrganization,
  installationId: string,
  except: readonly string[] = [],
): Promise<void> {
  const before = await catalogOf(api, org);
  const run = await resyncInProcess(api, org, installationId);
  expect(run.status, JSON.stringify(run.resources.map((r) => r.error))).toBe('completed');
  const compared = run.resources.filter((r) => !except.includes(r.kind));
  expect(compared.map((r) => [r.kind, r.ingested])).toEqual(compared.map((r) => [r.kind, 0]));
  if (except.length) return;
  expect(run.deleted).toBe(0);
  expect(await catalogOf(api, org)).toEqual(before);
}
