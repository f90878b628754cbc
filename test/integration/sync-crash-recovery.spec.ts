import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection } from '@mooring/integrations';
import { fakeIntegration } from '@mooring/integrations/testing';
import { OwnPostgres } from '../support/own-servers.js';
import { SyncHarness } from '../support/sync-harness.js';

// A resumed run after PostgreSQL itself crashed (an immediate stop, as a power cut or an OOM kill of
// the postmaster would): what the crashed attempt completed may be kept only if what it proved
// (the keys it saw) survived the crash too.

type Mapping = { resources: Array<Record<string, any>> } & Record<string, unknown>;

/** Port allows one kind in several resources: deployments split by environment into one blueprint. */
function splitDeployments(): Mapping {
  const mapping = structuredClone(fakeIntegration.defaultMapping) as unknown as Mapping;
  const deployments = mapping.resources[2]!;
  return {
    ...mapping,
    resources: [
      { ...structuredClone(deployments), selector: { query: 'environment = "production"' } },
      { ...structuredClone(deployments), selector: { query: 'environment != "production"' } },
    ],
  };
}

describe('a run resumed after PostgreSQL crashed', () => {
  let postgres: OwnPostgres;
  let h: SyncHarness;

  beforeAll(async () => {
    postgres = await OwnPostgres.start();
    h = await SyncHarness.start({
      databaseUrl: postgres.appUrl,
      mapping: splitDeployments(),
      fake: { counts: { team: 0, service: 0, deployment: 3_000 }, pageSize: 100 },
    });
    expect(await h.sync()).toMatchObject({ status: 'completed' });
    expect(await h.identifiers('fakeDeployment')).toHaveLength(3_000);
  });

  afterAll(async () => {
    await h?.close();
    await postgres?.stop();
  });

  /** A connection that runs `fault` when the second resource asks for its 10th page. */
  const faultDuringSecondResource = (fault: () => Promise<void>) => {
    let listings = 0;
    let done = false;
    return async (...args: Parameters<SyncHarness['deps']['connect']>): Promise<IntegrationConnection> => {
      const connection = await h.deps.connect(...args);
      return {
        ...connection,
        fetch: async (url, init) => {
          if (String(url).includes('page=0')) listings++;
          if (!done && listings === 2 && String(url).includes('page=10&')) {
            done = true;
            await fault();
          }
          return connection.fetch(url, init);
        },
      };
    };
  };

  it('deletes nothing the tool still has when PostgreSQL crashed between resources', async () => {
    h.server.remove('deployment', [1, 2]); // a complete pass deletes exactly these
    const run = await h.runs.create(h.orgId, h.installationId, 'schedule');
    const crash = faultDuringSecondResource(() => postgres.crash());
    await expect(h.resume(run.id, { deps: { connect: crash } })).rejects.toThrow();
    await postgres.restart();

    const resumed = await h.resume(run.id);
    expect(resumed.status).toBe('completed');
    expect(resumed.attempt).toBe(2);
    expect(resumed.deleted, `deleted ${resumed.deleted}: ${resumed.deletionReason}`).toBe(2);
    expect(await h.identifiers('fakeDeployment')).toHaveLength(2_998);
    h.server.restore('deployment');
    expect(await h.sync()).toMatchObject({ status: 'completed' });
  });

  it('does not trust a completed resource whose seen keys are gone: it fetches it again', async () => {
    h.server.remove('deployment', [4]);
    const run = await h.runs.create(h.orgId, h.installationId, 'schedule');
    const crash = faultDuringSecondResource(() => postgres.crash());
    await expect(h.resume(run.id, { deps: { connect: crash } })).rejects.toThrow();
    await postgres.restart();
    // What a restore from an older backup could leave: the ledger says the first resource
    // completed, but the keys it staged are not there.
    await postgres.query('DELETE FROM sync_seen_keys WHERE run_id = $1', [run.id]);

    const requestsBefore = h.server.requests.length;
    const resumed = await h.resume(run.id);
    expect(resumed).toMatchObject({ status: 'completed', attempt: 2 });
    expect(resumed.deleted, `deleted ${resumed.deleted}: ${resumed.deletionReason}`).toBe(1);
    expect(await h.identifiers('fakeDeployment')).toHaveLength(2_999);
    // Both resources were listed again from the first page.
    expect(h.server.requests.slice(requestsBefore).filter((r) => r.includes('page=0'))).toHaveLength(2);
    const { items: events } = await h.events.events(h.orgId, run.id, { limit: 100 });
    expect(events.find((e) => e.type === 'run.resumed')?.message).toContain('keys');
  });
});
