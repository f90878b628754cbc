import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue, LiveChange, WebhookDelivery } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { gitlab } from './gitlab.definition.js';
import { isoDate } from './gitlab-live-events.js';
import { FakeGitlab, projectId, type HookEventInput } from './testing/fake-gitlab.server.js';

// GitLab's live events against the contract: hooks registered and removed on the fake GitLab,
// deliveries verified by their X-Gitlab-Token, each followed event turned into changes, and each
// change's item read back in the shape extract yields it.
/** An id or a name as item ids spell it. */
const str = (value: JsonValue | undefined): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

describe('GitLab live events', () => {
  const live = gitlab.liveEvents!;
  const secret = 'whsec-current-0123456789abcdef';
  const previous = 'whsec-previous-0123456789abcdef';
  let fake: FakeGitlab;

  const connection = (token = 'glpat-api', settings: Record<string, string> = {}) =>
    testConnection({ host: fake.host, group: fake.rootGroup, ...settings }, token);
  const delivered = (input: HookEventInput, token: string | null = secret): WebhookDelivery => {
    const { event, payload } = fake.hookEvent(input);
    return { ...fake.delivery(event, payload, token), receivedAt: new Date() };
  };
  const changesOf = (input: HookEventInput): readonly LiveChange[] => {
    const delivery = delivered(input);
    return live.changes({ headers: delivery.headers, body: JSON.parse(delivery.rawBody.toString()) });
  };
  const extracted = async (kind: string, selector: Record<string, unknown> = {}) => {
    const items: JsonObject[] = [];
    for await (const page of gitlab.kinds[kind]!.extract(connection(), selector)) items.push(...pageItems(page));
    return items;
  };

  beforeAll(async () => {
    fake = await FakeGitlab.start({ shape: { projects: 4 } });
    fake.addToken('glpat-api', { username: 'owner', scopes: ['api'] });
    fake.addToken('glpat-readApi', { username: 'reader', scopes: ['read_api'] });
  });
  afterAll(() => fake.close());

  describe('verify', () => {
    const event: HookEventInput = { type: 'merge_request', project: 0, iid: 1 };

    it('accepts the current or the previous secret, naming the event and the delivery’s idempotency key', () => {
      for (const token of [secret, previous]) {
        const delivery = delivered(event, token);
        expect(live.verify(delivery, [secret, previous])).toEqual({
          verified: true,
          event: 'Merge Request Hook',
          deliveryId: delivery.headers['idempotency-key'],
        });
      }
    });

    it('falls back to X-Gitlab-Webhook-UUID on instances without Idempotency-Key', () => {
      const delivery = delivered(event);
      const { 'idempotency-key': _, ...headers } = delivery.headers;
      expect(live.verify({ ...delivery, headers }, [secret])).toMatchObject({
        deliveryId: delivery.headers['x-gitlab-webhook-uuid'],
      });
    });

    it('refuses a forged token, a missing one, and a delivery without an event', () => {
      expect(live.verify(delivered(event, 'whsec-guessed'), [secret, previous])).toEqual({
        verified: false,
        reason: 'bad_signature',
      });
      expect(live.verify(delivered(event, secret.slice(0, -1)), [secret])).toEqual({ verified: false, reason: 'bad_signature' });
      expect(live.verify(delivered(event, null), [secret])).toEqual({ verified: false, reason: 'missing_signature' });
      expect(live.verify(delivered(event, ''), [secret])).toEqual({ verified: false, reason: 'missing_signature' });
      const delivery = delivered(event);
      const { 'x-gitlab-event': _, ...headers } = delivery.headers;
      expect(live.verify({ ...delivery, headers }, [secret])).toEqual({ verified: false, reason: 'malformed' });
      // No secret configured matches nothing, not everything.
      expect(live.verify(delivered(event, ''), [''])).toMatchObject({ verified: false });
    });
  });

  describe('changes', () => {
    const p0 = 'harbor/team-0/svc-0';

    it.each<[string, HookEventInput, LiveChange[]]>([
      [
        'a merge request',
        { type: 'merge_request', project: 0, iid: 1, action: 'open' },
        [{ kind: 'merge-request', itemId: `${p0}!1`, action: 'upsert', version: expect.any(String) }],
      ],
      [
        'an issue',
        { type: 'issue', project: 0, iid: 1 },
        [{ kind: 'issue', itemId: `${p0}#1`, action: 'upsert', version: expect.any(String) }],
      ],
      [
        'a pipeline',
        { type: 'pipeline', project: 0, id: projectId(0) * 1000 + 2 },
        [{ kind: 'pipeline', itemId: `${p0}:${projectId(0) * 1000 + 2}`, action: 'upsert' }],
      ],
      [
        'a job',
        { type: 'job', project: 0, id: (projectId(0) * 1000 + 2) * 10 + 1 },
        [{ kind: 'job', itemId: `${p0}:${(projectId(0) * 1000 + 2) * 10 + 1}`, action: 'upsert' }],
      ],
      [
        'a deployment',
        { type: 'deployment', project: 0, id: projectId(0) * 100 + 1 },
        [
          {
            kind: 'deployment',
            itemId: `${p0}:${projectId(0) * 100 + 1}`,
            action: 'upsert',
            version: expect.any(String),
          },
        ],
      ],
      [
        'a release',
        { type: 'release', project: 0, tag: 'v1.1.0', action: 'create' },
        [{ kind: 'release', itemId: `${p0}:v1.1.0`, action: 'upsert' }],
      ],
      [
        'a deleted release',
        { type: 'release', project: 0, tag: 'v1.1.0', action: 'delete' },
        [
          {
            kind: 'release',
            itemId: `${p0}:v1.1.0`,
            action: 'delete',
            item: { tag_name: 'v1.1.0', name: 'Release v1.1.0', __project: p0 },
          },
        ],
      ],
      ['a tag', { type: 'tag_push', project: 0, ref: 'v2.0.0' }, [{ kind: 'tag', itemId: `${p0}:v2.0.0`, action: 'upsert' }]],
      [
        'a deleted tag',
        { type: 'tag_push', project: 0, ref: 'v2.0.0', deleted: true },
        [{ kind: 'tag', itemId: `${p0}:v2.0.0`, action: 'delete', item: { name: 'v2.0.0', __project: p0 } }],
      ],
      [
        'a push',
        { type: 'push', project: 0, ref: 'feature/x' },
        [
          { kind: 'project', itemId: p0, action: 'upsert' },
          { kind: 'branch', itemId: `${p0}:feature/x`, action: 'upsert' },
        ],
      ],
      [
        'a deleted branch',
        { type: 'push', project: 0, ref: 'feature/x', deleted: true },
        [
          { kind: 'project', itemId: p0, action: 'upsert' },
          { kind: 'branch', itemId: `${p0}:feature/x`, action: 'delete', item: { name: 'feature/x', __project: p0 } },
        ],
      ],
      [
        'a member added',
        { type: 'member', group: 'harbor/team-0', userId: 1201, eventName: 'user_add_to_group' },
        [
          { kind: 'member', itemId: '101:1201', action: 'upsert' },
          { kind: 'group-with-members', itemId: '101', action: 'upsert' },
        ],
      ],
      [
        'a member removed (kept: they may be in another group)',
        { type: 'member', group: 'harbor/team-0', userId: 1201, eventName: 'user_remove_from_group' },
        [{ kind: 'group-with-members', itemId: '101', action: 'upsert' }],
      ],
      [
        'a project created',
        { type: 'project', project: 1, eventName: 'project_create' },
        [{ kind: 'project', itemId: 'harbor/team-1/squad/svc-1', action: 'upsert' }],
      ],
      [
        'a project deleted',
        { type: 'project', project: 1, eventName: 'project_destroy' },
        [
          {
            kind: 'project',
            itemId: 'harbor/team-1/squad/svc-1',
            action: 'delete',
            item: { path_with_namespace: 'harbor/team-1/squad/svc-1', name: 'svc-1' },
          },
        ],
      ],
      [
        'a subgroup created',
        { type: 'subgroup', fullPath: 'harbor/team-0/squad', eventName: 'subgroup_create' },
        [
          { kind: 'group', itemId: 'harbor/team-0/squad', action: 'upsert' },
          { kind: 'group-with-members', itemId: 'harbor/team-0/squad', action: 'upsert' },
        ],
      ],
    ])('turns %s into its changes', (_what, input, expected) => {
      expect(changesOf(input)).toEqual(expected);
    });

    it('follows no other event, and refuses a body it cannot read', () => {
      expect(live.changes({ headers: { 'x-gitlab-event': 'Note Hook' }, body: { object_kind: 'note' } })).toEqual([]);
      expect(live.changes({ headers: { 'x-gitlab-event': 'Emoji Hook' }, body: {} })).toEqual([]);
      expect(() => live.changes({ headers: { 'x-gitlab-event': 'Merge Request Hook' }, body: [] })).toThrow(/not a JSON object/);
      expect(() =>
        live.changes({
          headers: { 'x-gitlab-event': 'Merge Request Hook' },
          body: { project: {}, object_attributes: { iid: 1 } },
        }),
      ).toThrow(/path_with_namespace/);
      expect(() =>
        live.changes({
          headers: { 'x-gitlab-event': 'Pipeline Hook' },
          body: { project: { path_with_namespace: 'a/b' }, object_attributes: { id: null } },
        }),
      ).toThrow(/object_attributes.id/);
      expect(() =>
        live.changes({
          headers: { 'x-gitlab-event': 'Push Hook' },
          body: { project: { path_with_namespace: 'a/b' }, ref: 'HEAD' },
        }),
      ).toThrow(/ref/);
    });

    it('reads GitLab’s three payload date formats', () => {
      expect(isoDate('2026-09-03T14:02:11Z')).toBe('2026-09-03T14:02:11.000Z');
      expect(isoDate('2026-09-03 14:02:11 UTC')).toBe('2026-09-03T14:02:11.000Z');
      expect(isoDate('2026-09-03 16:15:02 +0200')).toBe('2026-09-03T14:15:02.000Z');
      expect(isoDate('yesterday')).toBeUndefined();
    });
  });

  describe('fetchItem', () => {
    it.each([
      ['project', (item: JsonObject) => str(item['path_with_namespace'])],
      ['group', (item: JsonObject) => str(item['full_path'])],
      ['group-with-members', (item: JsonObject) => str(item['full_path'])],
      ['merge-request', (item: JsonObject) => `${str(item['__project'])}!${str(item['iid'])}`],
      ['issue', (item: JsonObject) => `${str(item['__project'])}#${str(item['iid'])}`],
      ['pipeline', (item: JsonObject) => `${str(item['__project'])}:${str(item['id'])}`],
      ['job', (item: JsonObject) => `${str(item['__project'])}:${str(item['id'])}`],
      ['deployment', (item: JsonObject) => `${str(item['__project'])}:${str(item['id'])}`],
      ['environment', (item: JsonObject) => `${str(item['__project'])}:${str(item['id'])}`],
      ['release', (item: JsonObject) => `${str(item['__project'])}:${str(item['tag_name'])}`],
      ['tag', (item: JsonObject) => `${str(item['__project'])}:${str(item['name'])}`],
      ['branch', (item: JsonObject) => `${str(item['__project'])}:${str(item['name'])}`],
    ] as const)('reads a %s in the shape extract yields it', async (kind, idOf) => {
      const selector = { project: { includeLanguages: true, includedFiles: ['README.md'] } }[kind as string] ?? {};
      const items = await extracted(kind, selector);
      expect(items.length).toBeGreaterThan(0);
      for (const item of items.slice(0, 3)) {
        const fetched = await live.fetchItem(connection('glpat-readApi'), kind, idOf(item), selector);
        // Every field extract gave, with the same value (a single GET may add detail, e.g. a pipeline's duration).
        expect(fetched).toMatchObject(item);
      }
    });

    it('reads a member of a group by group id and user id', async () => {
      const [member] = await extracted('member');
      expect(await live.fetchItem(connection(), 'member', `100:${str(member!['id'])}`)).toMatchObject(member!);
    });

    it('applies the default mapping’s selector when given none (the project’s languages and README)', async () => {
      const project = await live.fetchItem(connection(), 'project', 'harbor/team-0/svc-0');
      expect(project).toMatchObject({
        __languages: { TypeScript: 81.42 },
        __files: { 'README.md': expect.stringContaining('svc-0') },
      });
    });

    it('answers null for what is gone, or outside what the selector syncs', async () => {
      expect(await live.fetchItem(connection(), 'merge-request', 'harbor/team-0/svc-0!99')).toBeNull();
      expect(await live.fetchItem(connection(), 'project', 'harbor/nowhere')).toBeNull();
      expect(await live.fetchItem(connection(), 'tag', 'harbor/team-0/svc-0:v9.9.9')).toBeNull();
      // Merged, while the selector syncs only opened ones.
      expect(await live.fetchItem(connection(), 'merge-request', 'harbor/team-0/svc-0!2', { states: ['opened'] })).toBeNull();
      expect(await live.fetchItem(connection(), 'merge-request', 'harbor/team-0/svc-0!2', { states: ['merged'] })).not.toBeNull();
      fake.change('project:harbor/team-0/svc-2', { archived: true });
      try {
        expect(await live.fetchItem(connection(), 'project', 'harbor/team-0/svc-2')).toBeNull();
        expect(await live.fetchItem(connection(), 'project', 'harbor/team-0/svc-2', { includeArchived: true })).not.toBeNull();
      } finally {
        fake.change('project:harbor/team-0/svc-2', { archived: false });
      }
      await expect(live.fetchItem(connection(), 'pipeline', 'no-separator')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('fails with CREDENTIALS_INVALID for a revoked token rather than calling the item gone', async () => {
      fake.addToken('glpat-revoked', { username: 'u', scopes: ['read_api'] });
      fake.revokeToken('glpat-revoked');
      await expect(live.fetchItem(connection('glpat-revoked'), 'project', 'harbor/team-0/svc-0')).rejects.toMatchObject({
        code: 'CREDENTIALS_INVALID',
      });
    });
  });

  describe('register and unregister', () => {
    const hook = { url: 'https://mooring.example/v1/hooks/h_gl1', secret };

    it('creates one group hook with the secret token and the group-only events, and removes it', async () => {
      const registration = await live.register!(connection(), hook);
      expect(registration.reference).toMatchObject({ scope: 'group', group: 'harbor', hookId: expect.any(Number) });
      expect(fake.hooks).toEqual([
        expect.objectContaining({
          scope: 'group',
          on: 'harbor',
          url: hook.url,
          token: secret,
          events: expect.objectContaining({
            merge_requests_events: true,
            member_events: true,
            project_events: true,
            subgroup_events: true,
            note_events: false,
          }),
        }),
      ]);
      // The hook covers the subgroups' projects: a delivery reaches it with the token.
      await live.unregister!(connection(), registration);
      expect(fake.hooks).toEqual([]);
      // Already gone is not an error.
      await live.unregister!(connection(), registration);
    });

    it('falls back to one hook per project where group hooks are refused (Free tier, not Owner)', async () => {
      const free = await FakeGitlab.start({ shape: { projects: 4 }, groupHooks: false });
      try {
        free.addToken('glpat-api', { username: 'maintainer', scopes: ['api'] });
        free.forbid('harbor/team-1/squad/svc-1', 'hooks');
        const on = testConnection({ host: free.host, group: free.rootGroup }, 'glpat-api');
        const registration = await live.register!(on, hook);
        expect(registration.reference).toMatchObject({ scope: 'project', withoutHooks: ['harbor/team-1/squad/svc-1'] });
        expect(free.hooks.map((h) => [h.scope, h.on, h.token])).toEqual([
          ['project', 'harbor/team-0/svc-0', secret],
          ['project', 'harbor/team-0/svc-2', secret],
          ['project', 'harbor/team-1/squad/svc-3', secret],
        ]);
        expect(free.hooks[0]!.events).not.toHaveProperty('member_events');
        await live.unregister!(on, registration);
        expect(free.hooks).toEqual([]);
      } finally {
        await free.close();
      }
    });

    it('names the api scope when the token may only read', async () => {
      await expect(live.register!(connection('glpat-readApi'), hook)).rejects.toMatchObject({
        code: 'CREDENTIALS_SCOPE_MISSING',
        details: { missingScopes: ['api'] },
      });
      expect(fake.hooks).toEqual([]);
    });

    it('removes the project hooks it made when registering fails part way', async () => {
      const flaky = await FakeGitlab.start({ shape: { projects: 12 }, groupHooks: false });
      try {
        flaky.addToken('glpat-api', { username: 'maintainer', scopes: ['api'] });
        const on = testConnection({ host: flaky.host }, 'glpat-api');
        let posts = 0;
        const dropping = {
          ...on,
          // The connection drops on the seventh hook GitLab is asked to create.
          fetch: (url: string | URL, init?: RequestInit) =>
            init?.method === 'POST' && ++posts === 7 ? Promise.reject(new TypeError('fetch failed')) : on.fetch(url, init),
        };
        await expect(live.register!(dropping, hook)).rejects.toThrow('fetch failed');
        expect(flaky.requests.filter((r) => r.method === 'POST').length).toBeGreaterThan(5);
        expect(flaky.hooks).toEqual([]);
      } finally {
        await flaky.close();
      }
    });
  });
});
