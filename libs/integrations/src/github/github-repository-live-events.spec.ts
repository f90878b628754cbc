import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { githubLiveEvents } from './github-live-events.js';
import { FakeGithub } from './testing/fake-github.server.js';

// What the newer kinds' events change, and how their items are read again: through the
// installation's selector, so an item the selector would not list reads as gone.

const token = 'ghp_fakeGithubToken0123456789abcdefABCD';
const org = 'octo-org';
const repository = { full_name: `${org}/repo-0`, name: 'repo-0', default_branch: 'main' };
let fake: FakeGithub;

beforeAll(async () => {
  fake = await FakeGithub.start({ shape: { repositories: 2, branches: 2, tags: 1, dependabotAlerts: 2, codeScanningAlerts: 1 } });
  fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: [org] });
});
afterAll(() => fake?.close());

const changes = (event: string, body: JsonObject) =>
  githubLiveEvents.changes({ headers: { 'x-github-event': event }, body: { ...body, repository } }, {});
const read = (kind: string, itemId: string, selector: Record<string, unknown> = {}) =>
  githubLiveEvents.fetchItem(testConnection({ host: fake.host, organization: org }, token), kind, itemId, selector);

describe('GitHub live events of the per-repository kinds', () => {
  it('turns a push into its branch and, on the default branch only, the files its commits changed', () => {
    const commits = [
      { id: 'a', added: ['docs/new.md'], modified: ['README.md'], removed: [] },
      { id: 'b', added: [], modified: [], removed: ['README.md', 'CODEOWNERS'] },
    ];
    expect(changes('push', { ref: 'refs/heads/main', deleted: false, commits })).toEqual([
      { kind: 'repository', itemId: `${org}/repo-0`, action: 'upsert' },
      { kind: 'branch', itemId: `${org}/repo-0#main`, action: 'upsert' },
      { kind: 'file', itemId: `${org}/repo-0#docs/new.md`, action: 'upsert' },
      // Modified, then removed: the removal wins.
      {
        kind: 'file',
        itemId: `${org}/repo-0#README.md`,
        action: 'delete',
        item: { path: 'README.md', __repository: `${org}/repo-0` },
      },
      {
        kind: 'file',
        itemId: `${org}/repo-0#CODEOWNERS`,
        action: 'delete',
        item: { path: 'CODEOWNERS', __repository: `${org}/repo-0` },
      },
    ]);
    expect(changes('push', { ref: 'refs/heads/topic/#12', deleted: true, commits })).toEqual([
      {
        kind: 'branch',
        itemId: `${org}/repo-0#topic/#12`,
        action: 'delete',
        item: { name: 'topic/#12', __repository: `${org}/repo-0` },
      },
    ]);
    expect(changes('push', { ref: 'refs/tags/v2.0.0', deleted: false, commits: [] })).toEqual([
      { kind: 'tag', itemId: `${org}/repo-0#v2.0.0`, action: 'upsert' },
    ]);
  });

  it('maps create and delete by ref type, members and alerts by their state, and ignores what it cannot read', () => {
    expect(changes('create', { ref: 'v1.0.0', ref_type: 'tag' })).toEqual([
      { kind: 'tag', itemId: `${org}/repo-0#v1.0.0`, action: 'upsert' },
    ]);
    expect(changes('delete', { ref: 'feature-1', ref_type: 'branch' })[0]).toMatchObject({ kind: 'branch', action: 'delete' });
    expect(changes('create', { ref: 'x', ref_type: 'repository' })).toEqual([]);
    expect(changes('member', { action: 'removed', member: { login: 'mira' } })[0]).toMatchObject({
      kind: 'collaborator',
      itemId: `${org}/repo-0#mira`,
      action: 'delete',
    });
    expect(changes('member', { action: 'added', member: null })).toEqual([]);
    const alert = { number: 3, state: 'open', updated_at: '2026-09-03T14:15:00Z' };
    expect(changes('dependabot_alert', { action: 'reopened', alert })).toEqual([
      { kind: 'dependabot-alert', itemId: `${org}/repo-0#3`, action: 'upsert', version: '2026-09-03T14:15:00Z' },
    ]);
    expect(changes('code_scanning_alert', { action: 'fixed', alert: { ...alert, state: 'fixed' } })[0]).toMatchObject({
      kind: 'code-scanning-alert',
      action: 'delete',
    });
    expect(
      changes('deployment_status', {
        action: 'created',
        deployment_status: { id: 7, updated_at: alert.updated_at },
        deployment: { id: 5 },
      }),
    ).toContainEqual({ kind: 'deployment-status', itemId: `${org}/repo-0#5/7`, action: 'upsert', version: alert.updated_at });
  });

  it('reads an item again through the selector: outside it, the item is gone', async () => {
    expect(await read('branch', `${org}/repo-0#main`)).toMatchObject({
      name: 'main',
      protected: true,
      __repository: `${org}/repo-0`,
    });
    expect(await read('branch', `${org}/repo-0#feature-1`, { protected: true })).toBeNull();
    expect(await read('branch', `${org}/repo-0#gone`)).toBeNull();
    expect(await read('tag', `${org}/repo-0#v1.0.0`)).toMatchObject({ name: 'v1.0.0', commit: { sha: expect.any(String) } });

    fake.clearRequests();
    expect(await read('file', `${org}/repo-0#docs/other.md`, { paths: ['README.md'] })).toBeNull();
    expect(fake.requests).toHaveLength(0); // a path the selector does not read costs no request
    expect(await read('file', `${org}/repo-0#README.md`)).toMatchObject({
      path: 'README.md',
      __content: expect.stringContaining('repo-0'),
    });

    expect(await read('dependabot-alert', `${org}/repo-0#1`)).toMatchObject({ number: 1, state: 'open' });
    fake.setRepositoryItem(`${org}/repo-0`, '/dependabot/alerts', 1, { state: 'dismissed' });
    expect(await read('dependabot-alert', `${org}/repo-0#1`)).toBeNull();
    expect(await read('dependabot-alert', `${org}/repo-0#1`, { states: ['dismissed'] })).toMatchObject({ state: 'dismissed' });
    // The feature switched off: GitHub shows no alerts, so none is there.
    fake.setFeature(`${org}/repo-0`, 'code-scanning', 'disabled');
    expect(await read('code-scanning-alert', `${org}/repo-0#1`)).toBeNull();
    // A refusal that is not the feature being off is an error, not a deletion.
    fake.setFeature(`${org}/repo-0`, 'dependabot', 'forbidden');
    await expect(read('dependabot-alert', `${org}/repo-0#1`, { states: ['dismissed'] })).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
    });
  });
});
