import { afterEach, describe, expect, it } from 'vitest';
import type { ItemFailure, JsonObject } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { githubKinds } from './github-kinds.js';
import { fileText } from './github-repository-kinds.js';
import { FakeGithub, type FakeGithubShape } from './testing/fake-github.server.js';

// The per-repository kinds against the fake GitHub: GitHub's listing shapes and paging (Link by
// page, Link by cursor, no Link at all), the security features' two kinds of refusal, and files.

const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
const org = 'octo-org';
let fake: FakeGithub | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(shape: Partial<FakeGithubShape>): Promise<FakeGithub> {
  fake = await FakeGithub.start({ shape });
  fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
  return fake;
}

async function extract(kind: string, selector: JsonObject = {}): Promise<{ items: JsonObject[]; failures: ItemFailure[] }> {
  const failures: ItemFailure[] = [];
  const connection = testConnection({ host: fake!.host, organization: org }, token, {
    itemFailed: (failure) => failures.push(failure),
  });
  const items: JsonObject[] = [];
  for await (const page of githubKinds[kind]!.extract(connection, selector)) items.push(...pageItems(page));
  return { items, failures };
}

/** `owner/name:field` of an item, for short expectations. */
const at = (item: JsonObject, field: string) => `${item['__repository'] as string}:${item[field] as string}`;
const paths = () => fake!.requests.map((request) => request.url);

describe('GitHub per-repository kinds', () => {
  it('lists branches over Link pages, each with its repository and protection', async () => {
    await start({ repositories: 2, branches: 130 });
    const { items, failures } = await extract('branch');
    expect(failures).toEqual([]);
    expect(items).toHaveLength(260);
    expect(items.filter((b) => b['protected'] === true).map((b) => at(b, 'name'))).toEqual([
      `${org}/repo-0:main`,
      `${org}/repo-1:main`,
    ]);
    expect(paths().filter((p) => p.includes('/branches?') && p.includes('page=2'))).toHaveLength(2);
    // The selector narrows at GitHub.
    const only = await extract('branch', { protected: true });
    expect(only.items.map((b) => b['name'])).toEqual(['main', 'main']);
  });

  it('lists tags and collaborators (permissions, and the email where GitHub shows one)', async () => {
    await start({ repositories: 1, tags: 3, collaborators: 2 });
    expect((await extract('tag')).items.map((t) => t['name'])).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
    const { items } = await extract('collaborator');
    expect(items.map((c) => [c['login'], c['role_name'], c['email']])).toEqual([
      [`${org}-user-0`, 'admin', null],
      [`${org}-user-1`, 'write', `${org}-user-1@users.example`],
    ]);
    expect(items[0]!['permissions']).toMatchObject({ admin: true, push: true });
  });

  it('reads environments page by page though GitHub sends no Link for them', async () => {
    await start({ repositories: 1, environments: 130 });
    const { items } = await extract('environment');
    expect(items).toHaveLength(130);
    expect(items[0]).toMatchObject({ name: 'production', __repository: `${org}/repo-0` });
    expect(paths().filter((p) => p.includes('/environments'))).toEqual([
      `/api/v3/repos/${org}/repo-0/environments?page=1&per_page=100`,
      `/api/v3/repos/${org}/repo-0/environments?page=2&per_page=100`,
    ]);
  });

  it('reads the statuses of the latest deployments only, as many as the selector allows', async () => {
    await start({ repositories: 1, deployments: 5, deploymentStatuses: 3 });
    const { items } = await extract('deployment-status', { maxDeployments: 2 });
    expect(items).toHaveLength(6);
    expect(new Set(items.map((s) => s['__deployment'])).size).toBe(2);
    expect(paths().filter((p) => p.endsWith('/statuses?per_page=100'))).toHaveLength(2);
  });

  it('follows Dependabot’s cursor paging and passes states and severities to GitHub', async () => {
    await start({ repositories: 1, dependabotAlerts: 250 });
    const { items } = await extract('dependabot-alert', { states: ['open', 'fixed'] });
    expect(items).toHaveLength(250);
    expect(new Set(items.map((a) => a['number'])).size).toBe(250);
    const alerts = paths().filter((p) => p.includes('/dependabot/alerts'));
    expect(alerts).toHaveLength(3);
    expect(alerts.slice(1).every((p) => p.includes('after=') && !/[?&]page=/.test(p))).toBe(true);
    const critical = await extract('dependabot-alert', { severities: ['critical'] });
    expect(critical.items.length).toBeGreaterThan(0);
    expect(critical.items.every((a) => (a['security_advisory'] as JsonObject)['severity'] === 'critical')).toBe(true);
  });

  it.each([
    ['dependabot-alert', 'dependabot'],
    ['code-scanning-alert', 'code-scanning'],
  ] as const)('%s: a repository with the feature off has no alerts and nothing failed', async (kind, feature) => {
    await start({ repositories: 3, dependabotAlerts: 2, codeScanningAlerts: 2 });
    fake!.setFeature(`${org}/repo-1`, feature, 'disabled');
    const { items, failures } = await extract(kind);
    expect(failures).toEqual([]);
    expect([...new Set(items.map((a) => a['__repository']))]).toEqual([`${org}/repo-0`, `${org}/repo-2`]);
  });

  it.each([
    ['dependabot-alert', 'dependabot'],
    ['code-scanning-alert', 'code-scanning'],
  ] as const)('%s: a repository whose alerts the token may not read is skipped and counted', async (kind, feature) => {
    await start({ repositories: 3, dependabotAlerts: 2, codeScanningAlerts: 2 });
    fake!.setFeature(`${org}/repo-2`, feature, 'forbidden');
    const { items, failures } = await extract(kind);
    expect(failures).toEqual([
      { item: `${org}/repo-2`, reason: expect.stringContaining('Resource not accessible by integration') },
    ]);
    expect([...new Set(items.map((a) => a['__repository']))]).toEqual([`${org}/repo-0`, `${org}/repo-1`]);
  });

  it('reads chosen files, decoded; a missing file or an empty repository is no file and no failure', async () => {
    await start({ repositories: 3 });
    fake!.emptyRepository(`${org}/repo-2`);
    const { items, failures } = await extract('file', { paths: ['README.md', 'CODEOWNERS'] });
    expect(failures).toEqual([]);
    // CODEOWNERS only in even repositories; repo-2 has no commit at all.
    expect(items.map((f) => at(f, 'path'))).toEqual([
      `${org}/repo-0:README.md`,
      `${org}/repo-0:CODEOWNERS`,
      `${org}/repo-1:README.md`,
    ]);
    expect(items[0]).toMatchObject({ __content: `# ${org}/repo-0\n\nRepository 0.\n`, __truncated: false, type: 'file' });
    expect(items[1]!['__content']).toBe(`* @${org}/team-0\n`);
    expect(items.every((f) => !('content' in f))).toBe(true);
  });

  it('keeps a file over the size cap without its content, and never decodes binary as text', async () => {
    await start({ repositories: 1 });
    fake!.setFile(`${org}/repo-0`, 'README.md', 'x'.repeat(5000));
    const { items } = await extract('file', { paths: ['README.md'], maxBytes: 1000 });
    expect(items).toEqual([expect.objectContaining({ path: 'README.md', size: 5000, __content: null, __truncated: true })]);
    expect(fileText({ size: 2, encoding: 'base64', content: Buffer.from([0xff, 0xfe]).toString('base64') }, 100)).toBeNull();
    expect(fileText({ size: 3, encoding: 'none', content: '' }, 100)).toBeNull();
    expect(fileText({ size: 3, encoding: 'base64', content: 'YWJj\n' }, 100)).toBe('abc');
  });

  it('refuses selectors that would read outside a repository or without bounds', () => {
    const file = githubKinds['file']!.selector!;
    for (const path of ['../secrets', '/etc/passwd', 'docs//README.md', '']) {
      expect(file.safeParse({ paths: [path] }).success, path).toBe(false);
    }
    expect(file.safeParse({ paths: ['.github/CODEOWNERS'] }).success).toBe(true);
    expect(githubKinds['deployment-status']!.selector!.safeParse({ maxDeployments: 0 }).success).toBe(false);
    expect(githubKinds['dependabot-alert']!.selector!.safeParse({ states: ['closed'] }).success).toBe(false);
  });
});
