import {
  BlueprintRepository,
  Database,
  EntityRepository,
  InstallationRepository,
  OrganizationRepository,
  SyncCatalogRepository,
  SyncRunEventRepository,
  SyncRunHistoryRepository,
  SyncRunRepository,
  SyncRunRetentionRepository,
  type SyncRunRecord,
} from '@mooring/persistence';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeToolServer, fakeIntegration, testConnection, type FakeToolOptions } from '@mooring/integrations/testing';
import { runSync, type ConnectionProvider, type RunOutcome, type SyncDependencies } from '@mooring/sync';

import { endedRecord } from './run-outcome.js';

export const FAKE_TOKEN = 'fake-tool-token-0123456789';

/**
 * The sync engine over a real database and the fake tool on loopback HTTP: one organization, the
 * fake integration's blueprints and one installation. Used by the engine's tests and the benchmark
 * (so it imports nothing from vitest). Connections use plain fetch: production's guarded fetch
 * belongs to the installations feature.
 */
export class SyncHarness {
  private constructor(
    readonly db: Database,
    readonly server: FakeToolServer,
    readonly orgId: string,
    readonly installationId: string,
    readonly deps: SyncDependencies,
  ) {}

  static async start(options: {
    databaseUrl: string;
    fake?: Omit<FakeToolOptions, 'token'>;
    mapping?: unknown;
    poolSize?: number;
  }): Promise<SyncHarness> {
    const db = new Database({ url: options.databaseUrl, poolSize: options.poolSize ?? 4 });
    await db.onModuleInit();
    const server = await FakeToolServer.start({ token: FAKE_TOKEN, ...options.fake });
    const client = {
      clientId: `mc_${Math.random().toString(36).slice(2)}`,
      secretHash: 'x'.repeat(64),
      name: 'sync',
      role: 'admin' as const,
    };
    const { organization } = await new OrganizationRepository(db).createWithClient('sync-test', client);
    const blueprints = new BlueprintRepository(db);
    for (const blueprint of fakeIntegration.defaultBlueprints) {
      await blueprints.create(organization.id, {
        ...blueprint,
        schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
        relations: blueprint.relations ?? {},
      });
    }
    const installation = await new InstallationRepository(db).create(organization.id, {
      integrationId: 'fake',
      name: 'fake tool',
      mapping: options.mapping ?? fakeIntegration.defaultMapping,
      settings: { baseUrl: server.baseUrl },
    });
    const connect: ConnectionProvider = (record, signal) =>
      Promise.resolve(testConnection(record.settings, FAKE_TOKEN, { signal }));
    const integrations = IntegrationRegistry.fromConfig({ fakeEnabled: true });
    const deps: SyncDependencies = {
      installations: new InstallationRepository(db),
      runs: new SyncRunRepository(db),
      events: new SyncRunEventRepository(db),
      catalog: new SyncCatalogRepository(db),
      blueprints,
      integrations: (id) => integrations.get(id),
      connect,
    };
    return new SyncHarness(db, server, organization.id, installation.id, deps);
  }

  get runs(): SyncRunRepository {
    return this.deps.runs;
  }

  /** The API's reads of the installation's runs. */
  get history(): SyncRunHistoryRepository {
    return new SyncRunHistoryRepository(this.db);
  }

  get events(): SyncRunEventRepository {
    return new SyncRunEventRepository(this.db);
  }

  get retention(): SyncRunRetentionRepository {
    return new SyncRunRetentionRepository(this.db);
  }

  get entities(): EntityRepository {
    return new EntityRepository(this.db);
  }

  /** Points the installation elsewhere (its settings belong to the installations feature; tests poke them directly). */
  async setSettings(settings: Record<string, string>): Promise<void> {
    await this.db.inTenant(this.orgId, (tx) =>
      tx.installation.updateMany({ where: { id: this.installationId }, data: { settings } }),
    );
  }

  async setMaxFetchDrop(maxFetchDrop: number): Promise<void> {
    await new InstallationRepository(this.db).update(this.orgId, this.installationId, { maxFetchDrop });
  }

  async setMapping(mapping: unknown): Promise<void> {
    await new InstallationRepository(this.db).updateMapping(this.orgId, this.installationId, mapping);
  }

  /** Creates a pending run and runs it to its end. */
  async sync(options: { signal?: AbortSignal; deps?: Partial<SyncDependencies> } = {}): Promise<SyncRunRecord> {
    const run = await this.runs.create(this.orgId, this.installationId, 'manual');
    return this.resume(run.id, options);
  }

  /** Runs (or re-runs) an existing run to its end, as a worker retrying a job would. */
  async resume(runId: string, options: { signal?: AbortSignal; deps?: Partial<SyncDependencies> } = {}): Promise<SyncRunRecord> {
    return endedRecord(await this.attempt(runId, options));
  }

  /** One attempt at an existing run, and how it ended. */
  attempt(runId: string, options: { signal?: AbortSignal; deps?: Partial<SyncDependencies> } = {}): Promise<RunOutcome> {
    return runSync(
      { orgId: this.orgId, installationId: this.installationId, runId },
      { ...this.deps, ...options.deps },
      options.signal ? { signal: options.signal } : {},
    );
  }

  /** Identifiers of a blueprint's entities, in order (without placeholders if asked). */
  async identifiers(blueprint: string, options: { placeholders?: boolean } = {}): Promise<string[]> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ identifier: string }>(
        `SELECT identifier FROM entities WHERE blueprint = $1 ${options.placeholders === false ? 'AND NOT placeholder' : ''} ORDER BY identifier`,
        [blueprint],
      ),
    );
    return rows.map((row) => row.identifier);
  }

  /** Every entity row's physical version: any write, even of identical values, changes it. */
  async rowVersions(): Promise<Map<string, string>> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ key: string; version: string }>(
        `SELECT blueprint || '/' || identifier AS key, xmin::text AS version FROM entities`,
      ),
    );
    return new Map(rows.map((row) => [row.key, row.version]));
  }

  /** Rows a run inserted or updated (every write sets updated_at), plus the rows it deleted. */
  async rowsWritten(run: SyncRunRecord): Promise<number> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
    );
    return (rows[0]?.n ?? 0) + run.deleted;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.db.onModuleDestroy();
  }
}
