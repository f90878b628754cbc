import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry, type IntegrationDefinition } from '@mooring/integrations';
import { ATLASSIAN_ORG_ID, FakeJira, FakePagerduty, testConnection } from '@mooring/integrations/testing';
import {
  BlueprintRepository,
  Database,
  InstallationRepository,
  OrganizationRepository,
  SyncCatalogRepository,
  SyncRunEventRepository,
  SyncRunRepository,
  type SyncRunRecord,
} from '@mooring/persistence';
import { runSync, type SyncDependencies } from '@mooring/sync';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { endedRecord } from '../support/run-outcome.js';

// Jira and PagerDuty through the sync engine: each fake tool on loopback, the real catalog in
// PostgreSQL, the default blueprints and mapping. A first sync writes every kind over paged
// listings; an unchanged resync writes nothing; a revoked credential ends the run
// CREDENTIALS_INVALID and deletes nothing, even what the tool no longer lists. Jira's team kind:
// skipped without the organization id (its teams kept, the rest reconciled), failing on a
// malformed members page (nothing deleted).

const registry = IntegrationRegistry.fromConfig({ fakeEnabled: false });

/** One organization with an integration's default blueprints and an installation, synced by the engine. */
class EngineHarness {
  private constructor(
    readonly db: Database,
    readonly orgId: string,
    readonly installationId: string,
    readonly deps: SyncDependencies,
    /** What the engine told the connection when the tool refused the credentials. */
    readonly rejected: string[],
  ) {}

  static async start(
    databaseUrl: string,
    integration: IntegrationDefinition,
    settings: Record<string, string>,
    token: string,
  ): Promise<EngineHarness> {
    const db = new Database({ url: databaseUrl, poolSize: 4 });
    await db.onModuleInit();
    const { organization } = await new OrganizationRepository(db).createWithClient(`${integration.id}-sync`, {
      clientId: `mc_${Math.random().toString(36).slice(2)}`,
      secretHash: 'x'.repeat(64),
      name: 'sync',
      role: 'admin',
    });
    const blueprints = new BlueprintRepository(db);
    for (const blueprint of integration.defaultBlueprints) {
      await blueprints.create(organization.id, {
        ...blueprint,
        schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
        relations: blueprint.relations ?? {},
      });
    }
    const installation = await new InstallationRepository(db).create(organization.id, {
      integrationId: integration.id,
      name: integration.title,
      mapping: integration.defaultMapping,
      settings,
    });
    const rejected: string[] = [];
    const deps: SyncDependencies = {
      installations: new InstallationRepository(db),
      runs: new SyncRunRepository(db),
      events: new SyncRunEventRepository(db),
      catalog: new SyncCatalogRepository(db),
      blueprints,
      integrations: () => integration,
      connect: (record, signal) =>
        Promise.resolve({
          ...testConnection(record.settings, token, { signal, authMethod: 'custom_settings' }),
          credentialsRejected: (reason: string) => Promise.resolve(void rejected.push(reason)),
        }),
    };
    return new EngineHarness(db, organization.id, installation.id, deps, rejected);
  }

  async sync(): Promise<SyncRunRecord> {
    const run = await this.deps.runs.create(this.orgId, this.installationId, 'manual');
    return endedRecord(await runSync({ orgId: this.orgId, installationId: this.installationId, runId: run.id }, this.deps));
  }

  async settings(settings: Record<string, string>): Promise<void> {
    await new InstallationRepository(this.db).update(this.orgId, this.installationId, { settings });
  }

  /** Entities as if written an hour ago: past Jira's listing lag, so a run may delete them. */
  async age(): Promise<void> {
    await this.db.inTenantSql(this.orgId, (client) => client.query(`UPDATE entities SET updated_at = now() - interval '1 hour'`));
  }

  async entity(blueprint: string, identifier: string): Promise<{ relations: Record<string, unknown> } | undefined> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ relations: Record<string, unknown> }>(
        'SELECT relations FROM entities WHERE blueprint = $1 AND identifier = $2',
        [blueprint, identifier],
      ),
    );
    return rows[0];
  }

  async identifiers(blueprint: string): Promise<string[]> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ identifier: string }>('SELECT identifier FROM entities WHERE blueprint = $1 AND NOT placeholder', [
        blueprint,
      ]),
    );
    return rows.map((row) => row.identifier).sort();
  }

  /** Rows a run inserted or updated, plus those it deleted. */
  async written(run: SyncRunRecord): Promise<number> {
    const { rows } = await this.db.inTenantSql(this.orgId, (client) =>
      client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
    );
    return rows[0]!.n + run.deleted;
  }
}

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('PagerDuty through the sync engine', () => {
  const KEY = 'u+pdSyncKey0123456789';
  let fake: FakePagerduty;
  let h: EngineHarness;

  beforeAll(async () => {
    // 130 users and 150 incidents: listings of two pages.
    fake = await FakePagerduty.start({ shape: { services: 8, users: 130, teams: 2, incidents: 150, incidentDays: 20 } });
    fake.addApiKey(KEY);
    h = await EngineHarness.start(testDb.appUrl, registry.get('pagerduty'), { apiUrl: fake.apiUrl }, KEY);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.db.onModuleDestroy();
  });

  it('writes every default kind on a first sync, and nothing on an unchanged resync', async () => {
    const first = await h.sync();
    expect(first, first.errorMessage ?? '').toMatchObject({ status: 'completed', deleted: 0 });
    const fetched = Object.fromEntries(first.resources.map((r) => [r.kind, r.fetched]));
    expect(fetched).toEqual({
      user: 130,
      team: 2,
      schedule: 2,
      'escalation-policy': 2,
      service: 8,
      incident: 150,
      oncall: 4,
    });
    expect(await h.identifiers('pagerdutyService')).toHaveLength(8);
    expect(await h.identifiers('pagerdutyIncident')).toHaveLength(150);
    const unchanged = await h.sync();
    expect(unchanged).toMatchObject({ status: 'completed', deleted: 0 });
    expect(await h.written(unchanged)).toBe(0);
  });

  it('ends the run CREDENTIALS_INVALID when the key is revoked, and deletes nothing', async () => {
    fake.services.delete('PSVC8');
    fake.revoke(KEY);
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(h.rejected.length).toBeGreaterThan(0);
    expect(await h.identifiers('pagerdutyService')).toContain('PSVC8');
    expect(await h.identifiers('pagerdutyIncident')).toHaveLength(150);
  });
});

describe('Jira through the sync engine', () => {
  const EMAIL = 'sync@harbor.example';
  const TOKEN = 'ATATT-sync-token';
  let fake: FakeJira;
  let h: EngineHarness;

  beforeAll(async () => {
    // 250 issues: three search pages; 150 users: two bare arrays and an empty one.
    fake = await FakeJira.start({ shape: { projects: 3, issues: 250, users: 150 } });
    fake.addApiToken(EMAIL, TOKEN);
    h = await EngineHarness.start(testDb.appUrl, registry.get('jira'), { siteUrl: fake.siteUrl, email: EMAIL }, TOKEN);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.db.onModuleDestroy();
  });

  it('writes every default kind on a first sync, and nothing on an unchanged resync', async () => {
    const first = await h.sync();
    expect(first, first.errorMessage ?? '').toMatchObject({ status: 'completed', deleted: 0 });
    expect(Object.fromEntries(first.resources.map((r) => [r.kind, r.fetched]))).toEqual({
      user: 150,
      team: 0,
      project: 3,
      board: 6,
      sprint: 6,
      release: 6,
      component: 6,
      issue: 250,
    });
    expect(await h.identifiers('jiraIssue')).toHaveLength(250);
    // No organization id: the team kind is skipped, saying why, and the run is still clean.
    expect(first.resources.find((r) => r.kind === 'team')).toMatchObject({
      status: 'skipped',
      error: expect.stringContaining('atlassianOrganizationId'),
    });
    expect(first.deletionDecision).toBe('nothing_to_delete');
    const unchanged = await h.sync();
    expect(unchanged).toMatchObject({ status: 'completed', deleted: 0 });
    expect(await h.written(unchanged)).toBe(0);
  });

  it('ends the run CREDENTIALS_INVALID when the token is revoked, and deletes nothing', async () => {
    const [gone] = [...fake.issues.keys()];
    fake.issues.delete(gone!);
    fake.revoke(TOKEN);
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CREDENTIALS_INVALID', deleted: 0 });
    expect(h.rejected.length).toBeGreaterThan(0);
    expect(await h.identifiers('jiraIssue')).toHaveLength(250);
  });
});

describe('Jira teams through the sync engine', () => {
  const EMAIL = 'teams@harbor.example';
  const TOKEN = 'ATATT-teams-token';
  let fake: FakeJira;
  let h: EngineHarness;
  let settings: Record<string, string>;

  beforeAll(async () => {
    // 4 teams of 60 members: each team's members in two POST pages.
    fake = await FakeJira.start({ shape: { projects: 1, issues: 5, users: 80, teams: 4, teamMembers: 60 } });
    fake.addApiToken(EMAIL, TOKEN);
    settings = { siteUrl: fake.siteUrl, email: EMAIL, atlassianOrganizationId: ATLASSIAN_ORG_ID };
    h = await EngineHarness.start(testDb.appUrl, registry.get('jira'), settings, TOKEN);
  });

  afterAll(async () => {
    await fake?.close();
    await h?.db.onModuleDestroy();
  });

  it('writes teams with their members as relations to users', async () => {
    const run = await h.sync();
    expect(run, run.errorMessage ?? '').toMatchObject({ status: 'completed', deleted: 0 });
    expect(run.resources.find((r) => r.kind === 'team')).toMatchObject({ status: 'completed', fetched: 4 });
    expect(await h.identifiers('jiraTeam')).toEqual(fake.teams.map((t) => t['teamId'] as string).sort());
    const [first] = fake.teams;
    const team = await h.entity('jiraTeam', first!['teamId'] as string);
    expect(team?.relations['members']).toEqual(fake.teamMembers.get(first!['teamId'] as string));
    expect(await h.written(await h.sync())).toBe(0);
  });

  it('fails the team kind on a malformed members page and deletes nothing', async () => {
    const [gone] = fake.teams.splice(3, 1);
    const [issue] = [...fake.issues.keys()];
    const removed = fake.issues.get(issue!)!;
    fake.issues.delete(issue!);
    fake.malformedMembers.add(fake.teams[0]!['teamId'] as string);
    await h.age();
    try {
      const run = await h.sync();
      expect(run).toMatchObject({ status: 'failed', deleted: 0 });
      expect(run.resources.find((r) => r.kind === 'team')).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('UPSTREAM_MALFORMED'),
      });
      expect(await h.identifiers('jiraTeam')).toContain(gone!['teamId']);
      expect(await h.identifiers('jiraIssue')).toContain(removed['key']);
    } finally {
      fake.malformedMembers.clear();
      fake.issues.set(issue!, removed);
      fake.teams.push(gone!);
    }
  });

  it('skips the team kind once the organization id is removed: its teams stay, the rest is reconciled', async () => {
    const [issue] = [...fake.issues.keys()];
    const removed = fake.issues.get(issue!)!;
    fake.issues.delete(issue!);
    await h.age();
    try {
      await h.settings({ siteUrl: fake.siteUrl, email: EMAIL });
      const run = await h.sync();
      expect(run, run.deletionReason ?? '').toMatchObject({ status: 'completed', deletionDecision: 'deleted', deleted: 1 });
      expect(run.resources.find((r) => r.kind === 'team')).toMatchObject({ status: 'skipped', fetched: 0 });
      expect(await h.identifiers('jiraTeam')).toHaveLength(4);
      expect(await h.identifiers('jiraIssue')).not.toContain(removed['key']);
    } finally {
      fake.issues.set(issue!, removed);
      await h.settings(settings);
    }
  });
});
