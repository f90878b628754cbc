import { describe, expect, it } from 'vitest';
import type { ItemFailure, JsonObject } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { memoryResponseCache, testConnection } from '../toolkit/testing/test-connection.js';
import { FakeGithub } from './testing/fake-github.server.js';
import { githubKinds } from './github-kinds.js';

const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
const org = 'octo-org';

async function collect(iterable: AsyncIterable<unknown>): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  for await (const page of iterable) items.push(...pageItems(page as JsonObject[]));
  return items;
}

describe('GitHub kinds against GitHub’s behaviour', () => {
  it('follows the Link header a 304 carries: a listing whose full last page gained an item reads the new page', async () => {
    const fake = await FakeGithub.start({ shape: { repositories: 100 } });
    try {
      fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
      const responseCache = memoryResponseCache();
      const connection = testConnection({ host: fake.host, organization: org }, token, { responseCache });
      expect(await collect(githubKinds['repository']!.extract(connection, {}))).toHaveLength(100);
      // A 101st repository: the first page (100 items) is unchanged, so GitHub answers it 304 (same
      // ETag), now with a Link to page 2.
      fake.setShape({ repositories: 101 });
      const again = await collect(githubKinds['repository']!.extract(connection, {}));
      expect(fake.stats.notModified).toBeGreaterThan(0);
      expect(again.map((repository) => repository['name'])).toContain('repo-100');
      expect(again).toHaveLength(101);
    } finally {
      await fake.close();
    }
  });

  it('skips a repository GitHub refuses with 403 (SSO, IP allow list, permission), counting it, and reads the others', async () => {
    const fake = await FakeGithub.start({ shape: { repositories: 3, pulls: 2 } });
    try {
      fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
      fake.refuseRepository(`${org}/repo-1`, {
        message:
          'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        headers: { 'x-github-sso': `required; url=https://github.com/orgs/${org}/sso?authorization_request=AAA` },
      });
      const failures: ItemFailure[] = [];
      const connection = testConnection({ host: fake.host, organization: org }, token, {
        itemFailed: (failure) => failures.push(failure),
      });
      const pulls = await collect(githubKinds['pull-request']!.extract(connection, {}));
      expect(pulls.map((pull) => pull['__repository'])).toEqual([`${org}/repo-0`, `${org}/repo-2`]);
      expect(failures).toEqual([{ item: `${org}/repo-1`, reason: expect.stringContaining('SAML enforcement') }]);
    } finally {
      await fake.close();
    }
  });

  it('lists the repositories once per run: every per-repository kind of one run shares the names', async () => {
    const fake = await FakeGithub.start({ shape: { repositories: 250, pulls: 1, issues: 1 } });
    try {
      fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
      const listings = () => fake.requests.filter((request) => request.url.startsWith(`/api/v3/orgs/${org}/repos?`)).length;
      const connection = testConnection({ host: fake.host, organization: org }, token);
      expect(await collect(githubKinds['repository']!.extract(connection, {}))).toHaveLength(250);
      expect(listings()).toBe(3);
      // The engine hands each kind a copy of the run's connection (with its own itemFailed).
      const pulls = await collect(githubKinds['pull-request']!.extract({ ...connection, itemFailed: () => {} }, {}));
      const issues = await collect(githubKinds['issue']!.extract({ ...connection, itemFailed: () => {} }, {}));
      expect(new Set(pulls.map((pull) => pull['__repository'])).size).toBe(250);
      expect(new Set(issues.map((issue) => issue['__repository'])).size).toBe(250);
      expect(listings()).toBe(3);

      // Another type is another listing; another connection (the next run) lists again and sees a new repository.
      await collect(githubKinds['release']!.extract(connection, { repositoryType: 'public' }));
      expect(listings()).toBe(5);
      fake.setShape({ repositories: 251, pulls: 1, issues: 1 });
      const next = testConnection({ host: fake.host, organization: org }, token);
      const again = await collect(githubKinds['pull-request']!.extract(next, {}));
      expect(again.map((pull) => pull['__repository'])).toContain(`${org}/repo-250`);
      expect(listings()).toBe(8);
    } finally {
      await fake.close();
    }
  });

  it('keeps no names from a listing that was stopped before its end: the next kind lists them again', async () => {
    const fake = await FakeGithub.start({ shape: { repositories: 250, pulls: 1 } });
    try {
      fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
      const listings = () => fake.requests.filter((request) => request.url.startsWith(`/api/v3/orgs/${org}/repos?`)).length;
      const connection = testConnection({ host: fake.host, organization: org }, token);
      for await (const page of githubKinds['repository']!.extract(connection, {})) {
        expect(pageItems(page)).toHaveLength(100);
        break;
      }
      expect(listings()).toBe(1);
      const pulls = await collect(githubKinds['pull-request']!.extract(connection, {}));
      expect(new Set(pulls.map((pull) => pull['__repository'])).size).toBe(250);
      expect(listings()).toBe(4);
    } finally {
      await fake.close();
    }
  });

  it('lists more repositories at once than the token has request slots, with never more than 10 requests in flight', async () => {
    const fake = await FakeGithub.start({ shape: { repositories: 60, pulls: 1 }, latencyMs: 200 });
    try {
      fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
      const connection = testConnection({ host: fake.host, organization: org }, token);
      const pulls = await collect(githubKinds['pull-request']!.extract(connection, {}));
      expect(pulls).toHaveLength(60);
      expect(fake.stats.maxInFlight).toBe(10);
    } finally {
      await fake.close();
    }
  });
});
