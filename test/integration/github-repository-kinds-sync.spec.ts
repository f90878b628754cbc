import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry, type JsonObject } from '@mooring/integrations';
import { FakeGithub, githubRepositoryResources, testConnection } from '@mooring/integrations/testing';
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
import { runSync, validateMapping, type SyncDependencies } from '@mooring/sync';
import { endedRecord } from '../support/run-outcome.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// GitHub's per-repository kinds through the sync engine: the fake GitHub on loopback, the real
// catalog in PostgreSQL, the default blueprints, and a mapping with the repository resource plus
// every per-repository resource a user can add. Listings span pages; an unchanged resync writes
// nothing; alerts of a repository whose feature was switched off are deleted, while a repository
// whose alerts could not be read blocks every deletion of the kind.

const github = IntegrationRegistry.fromConfig({ fakeEnabled: false }).get('github');
const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
const org = 'octo-org';
const repositoryResource = (github.defaultMapping['resources'] as JsonObject[]).find((r) => r['kind'] === 'repository')!;
const mapping = { ...github.defaultMapping, resources: [repositoryResource, ...githubRepositoryResources] };

let testDb: TestDatabase;
let db: Database;
let fake: FakeGithub;
let orgId: string;
let installationId: string;
let deps: SyncDependencies;

async function sync(): Promise<SyncRunRecord> {
  const run = await deps.runs.create(orgId, installationId, 'manual');
  return endedRecord(await runSync({ orgId, installationId, runId: run.id }, deps));
}

async function identifiers(blueprint: string): Promise<string[]> {
  const { rows } = await db.inTenantSql(orgId, (client) =>
    client.query<{ identifier: string }>('SELECT identifier FROM entities WHERE blueprint = $1 AND NOT placeholder', [blueprint]),
  );
  return rows.map((row) => row.identifier).sort();
}

async function entity(blueprint: string, identifier: string) {
  const { rows } = await db.inTenantSql(orgId, (client) =>
    client.query<{ properties: Record<string, unknown>; relations: Record<string, unknown> }>(
      'SELECT properties, relations FROM entities WHERE blueprint = $1 AND identifier = $2',
      [blueprint, identifier],
    ),
  );
  return rows[0];
}

/** Rows a run inserted or updated, plus those it deleted. */
async function written(run: SyncRunRecord): Promise<number> {
  const { rows } = await db.inTenantSql(orgId, (client) =>
    client.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE updated_at >= $1', [run.startedAt]),
  );
  return rows[0]!.n + run.deleted;
}

const resource = (run: SyncRunRecord, kind: string) => run.resources.find((r) => r.kind === kind)!;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // 105 repositories: two pages of names (each kind's own paging is in github-repository-kinds.spec.ts).
  // A quota no run here comes near: each reads about 1,300 pages, and below 5% left a sync waits for the reset.
  fake = await FakeGithub.start({
    rateLimit: 1_000_000,
    shape: {
      repositories: 105,
      branches: 2,
      tags: 1,
      environments: 1,
      deployments: 2,
      deploymentStatuses: 2,
      collaborators: 2,
      dependabotAlerts: 3,
      codeScanningAlerts: 2,
    },
  });
  fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
  db = new Database({ url: testDb.appUrl, poolSize: 4 });
  await db.onModuleInit();
  const { organization } = await new OrganizationRepository(db).createWithClient('github-repository-kinds', {
    clientId: `mc_${Math.random().toString(36).slice(2)}`,
    secretHash: 'x'.repeat(64),
    name: 'sync',
    role: 'admin',
  });
  orgId = organization.id;
  const blueprints = new BlueprintRepository(db);
  for (const blueprint of github.defaultBlueprints) {
    await blueprints.create(orgId, {
      ...blueprint,
      schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
      relations: blueprint.relations ?? {},
    });
  }
  expect(await validateMapping(mapping, { integration: github })).toEqual([]);
  const installation = await new InstallationRepository(db).create(orgId, {
    integrationId: 'github',
    name: 'GitHub',
    mapping,
    settings: { host: fake.host, organization: org },
  });
  installationId = installation.id;
  deps = {
    installations: new InstallationRepository(db),
    runs: new SyncRunRepository(db),
    events: new SyncRunEventRepository(db),
    catalog: new SyncCatalogRepository(db),
    blueprints,
    integrations: () => github,
    connect: (record, signal) =>
      Promise.resolve(testConnection(record.settings, token, { signal, authMethod: 'custom_settings' })),
  };
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await db?.onModuleDestroy();
  await testDb?.drop();
});

// Each run reads about 1,300 GitHub pages: generous deadlines for a loaded machine.
describe('GitHub per-repository kinds through the sync engine', { timeout: 300_000 }, () => {
  it('writes every kind over paged listings, related to its repository, and nothing on an unchanged resync', async () => {
    const first = await sync();
    expect(first, JSON.stringify(first.resources.map((r) => [r.kind, r.status, r.error]))).toMatchObject({
      status: 'completed',
      deleted: 0,
    });
    expect(Object.fromEntries(first.resources.map((r) => [r.kind, r.fetched]))).toEqual({
      repository: 105,
      branch: 210,
      tag: 105,
      environment: 105,
      'deployment-status': 420,
      'dependabot-alert': 315,
      'code-scanning-alert': 210,
      file: 158, // README.md everywhere, CODEOWNERS in the 53 even repositories
      collaborator: 210,
    });
    expect(first.resources.every((r) => r.ingested === r.fetched && r.transformFailed === 0)).toBe(true);
    expect(fake.requests.map((r) => r.url)).toContain(`/api/v3/orgs/${org}/repos?type=all&per_page=100&page=2`);

    expect(await entity('githubBranch', `${org}/repo-7:main`)).toMatchObject({
      properties: { name: 'main', protected: true },
      relations: { repository: `${org}/repo-7` },
    });
    expect(await entity('githubDependabotAlert', `${org}/repo-7#2`)).toMatchObject({
      properties: { state: 'open', severity: 'critical', package: 'package-1', patchedVersion: '2.0.0' },
      relations: { repository: `${org}/repo-7` },
    });
    expect(await entity('githubFile', `${org}/repo-4:CODEOWNERS`)).toMatchObject({
      properties: { path: 'CODEOWNERS', content: `* @${org}/team-0\n`, contentOmitted: false },
    });
    const collaborator = await entity('githubCollaborator', `${org}/repo-7:${org}-user-1`);
    expect(collaborator).toMatchObject({
      properties: { role: 'write', email: `${org}-user-1@users.example`, permissions: ['pull', 'triage', 'push'] },
      relations: { user: `${org}-user-1`, repository: `${org}/repo-7` },
    });
    const [status] = (await identifiers('githubDeploymentStatus')).slice(0, 1);
    expect((await entity('githubDeploymentStatus', status!))?.relations['deployment']).toEqual(expect.anything());

    const unchanged = await sync();
    expect(unchanged).toMatchObject({ status: 'completed', deleted: 0 });
    expect(await written(unchanged)).toBe(0);
  });

  it('deletes the alerts of a repository whose feature was switched off, and a file that is gone', async () => {
    fake.setFeature(`${org}/repo-3`, 'dependabot', 'disabled');
    fake.setFile(`${org}/repo-3`, 'README.md', null);
    const run = await sync();
    expect(run).toMatchObject({ status: 'completed' });
    expect(resource(run, 'dependabot-alert')).toMatchObject({ fetched: 312, fetchFailed: 0 });
    const alerts = await identifiers('githubDependabotAlert');
    expect(alerts.filter((a) => a.startsWith(`${org}/repo-3#`))).toEqual([]);
    expect(alerts).toHaveLength(312);
    expect(await identifiers('githubFile')).not.toContain(`${org}/repo-3:README.md`);
  });

  it('deletes no alert while one repository’s alerts could not be read, and counts it as a fetch failure', async () => {
    fake.setFeature(`${org}/repo-3`, 'dependabot', 'enabled');
    fake.setFeature(`${org}/repo-9`, 'dependabot', 'forbidden');
    fake.setShape({ dependabotAlerts: 2 }); // every repository's third alert is gone at GitHub
    const run = await sync();
    expect(resource(run, 'dependabot-alert')).toMatchObject({ fetchFailed: 1 });
    const alerts = await identifiers('githubDependabotAlert');
    // Nothing deleted: repo-9's three alerts stay, and so do the others' third ones.
    expect(alerts.filter((a) => a.startsWith(`${org}/repo-9#`))).toHaveLength(3);
    expect(alerts).toContain(`${org}/repo-0#3`);

    fake.setFeature(`${org}/repo-9`, 'dependabot', 'enabled');
    const clean = await sync();
    expect(resource(clean, 'dependabot-alert')).toMatchObject({ fetched: 210, fetchFailed: 0 });
    expect(await identifiers('githubDependabotAlert')).toHaveLength(210);
  });

  it('refuses a mapping whose selector is invalid, naming the field', async () => {
    const bad = {
      ...mapping,
      resources: [
        { ...githubRepositoryResources.find((r) => r['kind'] === 'file')!, selector: { query: 'true', paths: ['../x'] } },
      ],
    };
    const issues = await validateMapping(bad, { integration: github });
    expect(issues).toEqual([expect.objectContaining({ field: 'resources[0].selector.paths[0]' })]);
  });
});
