import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, InstallationRepository, LiveEventRepository, OrganizationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The platform App's webhook finds its installations with a lookup across organizations, as the
// api's role: only those on the App's own GitHub (its API base URL), whatever spelling a stored
// `host` has. The API base must be the one the GitHub integration derives from the host.
describe('routing a GitHub App delivery by host', () => {
  const APP_ID = '424242';
  const GITHUB_COM = 'https://api.github.com';
  const GHES = 'https://ghes.example.com/api/v3';
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database({ url: database.appUrl, poolSize: 2 });
    await db.onModuleInit();
  });

  afterAll(async () => {
    await db?.onModuleDestroy();
    await database?.drop();
  });

  const apiBase = async (host: string | null) =>
    (await adminQuery<{ base: string | null }>(database, 'SELECT mooring_system.github_api_base($1) AS base', [host]))[0]!.base;

  it('derives an installation’s API base from its host as the GitHub integration does', async () => {
    const expected: Array<[string | null, string]> = [
      [null, GITHUB_COM],
      ['', GITHUB_COM],
      ['https://github.com', GITHUB_COM],
      ['https://GitHub.com/', GITHUB_COM],
      ['https://github.com:443', GITHUB_COM],
      ['https://api.github.com', GITHUB_COM],
      ['https://ghes.example.com', GHES],
      ['HTTPS://GHES.example.com:443/', GHES],
      ['https://ghes.example.com/some/path?q=1', GHES],
      ['https://ghes.example.com:8443', 'https://ghes.example.com:8443/api/v3'],
      ['http://127.0.0.1:4010', 'http://127.0.0.1:4010/api/v3'],
      ['http://ghes.example.com:80', 'http://ghes.example.com/api/v3'],
      ['http://github.com', 'http://github.com/api/v3'],
    ];
    for (const [host, base] of expected) expect([host, await apiBase(host)]).toEqual([host, base]);
  });

  it('gives no API base to a host that is not a plain http(s) origin, so it routes nowhere', async () => {
    for (const host of [
      'https://github.com@evil.example',
      'https://evil.example\\@github.com',
      'https://%67ithub.com',
      ' https://github.com',
      'ftp://github.com',
      'github.com',
      'https://github.com:99999',
      'https://github.com:1234567',
    ]) {
      expect([host, await apiBase(host)]).toEqual([host, null]);
    }
  });

  it('finds only the installations of the App installation on the App’s own GitHub', async () => {
    const organizations = new OrganizationRepository(db);
    const installations = new InstallationRepository(db);
    const install = async (name: string, settings: Record<string, string>) => {
      const { organization } = await organizations.createWithClient(name, {
        clientId: `mc_${name}`,
        secretHash: 'x'.repeat(64),
        name,
        role: 'admin',
      });
      const created = await installations.create(organization.id, {
        integrationId: 'github',
        name,
        mapping: { resources: [] },
        settings: { appId: APP_ID, installationId: '7001', ...settings },
      });
      return { orgId: organization.id, installationId: created.id };
    };
    const onGithubCom = await install('on-github-com', {});
    const spelledOut = await install('spelled-out', { host: 'https://github.com/' });
    const onGhes = await install('on-ghes', { host: 'https://ghes.example.com' });
    await install('other-app', { appId: '1', host: 'https://ghes.example.com' });
    await install('evil-spelling', { host: 'https://github.com@ghes.example.com' });

    const find = (apiBase: string, externalId = '7001') =>
      new LiveEventRepository(db).findAppInstallations({ integrationId: 'github', apiBase, appId: APP_ID, externalId });
    const byId = (targets: Array<{ orgId: string; installationId: string }>) =>
      targets.map((target) => target.installationId).sort();

    expect(byId(await find(GITHUB_COM))).toEqual(byId([onGithubCom, spelledOut]));
    expect(await find(GHES)).toEqual([onGhes]);
    expect(await find('https://other-ghes.example.com/api/v3')).toEqual([]);
    expect(await find(GITHUB_COM, '7002')).toEqual([]);
  });
});
