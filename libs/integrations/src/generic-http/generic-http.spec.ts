import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrationConnection, JsonObject, KindDefinition } from '../integration-definition.js';
import { withInstallationKinds } from '../integration-definition.js';
import { memoryResponseCache, testConnection } from '../toolkit/testing/test-connection.js';
import { genericHttp } from './generic-http.definition.js';
import { FakeRestApi, fakeComments, fakeIssues, fakeProjects, type FakeAuth } from './testing/fake-rest-api.server.js';

// The generic integration against a REST API on loopback: each paging style, each auth method, a
// dependent kind, settings refused by path, and live events verified as declared.

let api: FakeRestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function all(kind: KindDefinition, connection: IntegrationConnection): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  for await (const page of kind.extract(connection, {})) for (const item of 'items' in page ? page.items : page) items.push(item);
  return items;
}

function settings(origin: string, kinds: unknown[], extra: Record<string, unknown> = {}): Record<string, string> {
  return {
    baseUrl: origin,
    kinds: JSON.stringify(kinds),
    ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, JSON.stringify(value)])),
  };
}

const PAGINATIONS = [
  { style: 'page number', kind: { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } } },
  {
    style: 'offset/limit',
    kind: { name: 'projects', path: '/offset/projects', itemsPath: 'data', pagination: { type: 'offset', limit: 3 } },
  },
  {
    style: 'cursor from the body',
    kind: {
      name: 'projects',
      path: '/cursor/projects',
      itemsPath: 'results',
      pagination: { type: 'cursor', cursorPath: 'meta.next_cursor', param: 'cursor' },
    },
  },
  {
    style: 'next URL from the body',
    kind: {
      name: 'projects',
      path: '/next/projects',
      itemsPath: 'items',
      pagination: { type: 'nextUrl', nextPath: 'links.next' },
    },
  },
  { style: 'Link header', kind: { name: 'projects', path: '/link/projects', pagination: { type: 'linkHeader' } } },
] as const;

describe('generic HTTP: paging', () => {
  it.each(PAGINATIONS)('lists every item with $style paging', async ({ kind }) => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't0ken' });
    const installation = settings(api.origin, [kind]);
    const kinds = genericHttp.kindsFor!(installation);
    const items = await all(kinds['projects']!, testConnection(installation, 't0ken'));
    expect(items).toEqual(fakeProjects(7));
    expect(api.server.requests.length).toBe(3);
  });

  it('stops on an empty page when told, and fails a listing longer than maxPages instead of ending short', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(6));
    const stopping = settings(api.origin, [
      { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 }, stop: { emptyPage: true } },
    ]);
    expect(await all(genericHttp.kindsFor!(stopping)['projects']!, testConnection(stopping, 't'))).toHaveLength(6);
    // Two full pages, then the empty third one says the listing is complete.
    expect(api.server.requests).toHaveLength(3);

    const capped = settings(api.origin, [
      { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 }, maxPages: 1 },
    ]);
    await expect(all(genericHttp.kindsFor!(capped)['projects']!, testConnection(capped, 't'))).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      details: { reason: 'listing_beyond_reach' },
    });
  });

  it('fails a kind whose items path holds no list (UPSTREAM_MALFORMED), never an empty listing', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const wrong = settings(api.origin, [
      { name: 'projects', path: '/offset/projects', itemsPath: 'items', pagination: { type: 'offset', limit: 3 } },
    ]);
    await expect(all(genericHttp.kindsFor!(wrong)['projects']!, testConnection(wrong, 't'))).rejects.toMatchObject({
      code: 'UPSTREAM_MALFORMED',
    });
  });
});

const AUTHS: { method: string; fake: FakeAuth; auth: unknown; secret: string }[] = [
  { method: 'bearer token', fake: { type: 'bearer', token: 'b3arer' }, auth: { type: 'bearer' }, secret: 'b3arer' },
  {
    method: 'basic',
    fake: { type: 'basic', username: 'robot', password: 'pa55' },
    auth: { type: 'basic', username: 'robot' },
    secret: 'pa55',
  },
  {
    method: 'API key in a header',
    fake: { type: 'apiKey', in: 'header', name: 'X-Api-Key', key: 'k3y' },
    auth: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    secret: 'k3y',
  },
  {
    method: 'API key in a query parameter',
    fake: { type: 'apiKey', in: 'query', name: 'api_key', key: 'k3y' },
    auth: { type: 'apiKey', in: 'query', name: 'api_key' },
    secret: 'k3y',
  },
  {
    method: 'OAuth 2.0 client credentials',
    fake: { type: 'oauth2ClientCredentials', clientId: 'client-1', clientSecret: 's3cret' },
    auth: { type: 'oauth2ClientCredentials', tokenUrl: 'PLACEHOLDER', clientId: 'client-1' },
    secret: 's3cret',
  },
];

describe('generic HTTP: POST listings (search endpoints)', () => {
  it('sends the declared JSON body, with page and size placed in it', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const installation = settings(api.origin, [
      {
        name: 'projects',
        path: '/search/projects',
        method: 'POST',
        body: { filter: 'all' },
        itemsPath: 'hits',
        pagination: { type: 'pageNumber', size: 3, sizeParam: 'size', in: 'body' },
      },
    ]);
    expect(await all(genericHttp.kindsFor!(installation)['projects']!, testConnection(installation, 't'))).toEqual(
      fakeProjects(7),
    );
    const sent = api.server.requests.map((request) => ({
      method: request.method,
      url: request.url,
      body: JSON.parse(request.body) as unknown,
    }));
    expect(sent).toEqual(
      [1, 2, 3].map((page) => ({ method: 'POST', url: '/search/projects', body: { filter: 'all', page, size: 3 } })),
    );
  });

  it('follows a cursor from the answer into the next body', async () => {
    api = await FakeRestApi.start({ type: 'apiKey', in: 'query', name: 'key', key: 'k' });
    const installation = settings(
      api.origin,
      [
        {
          name: 'projects',
          path: '/search/cursor',
          method: 'POST',
          body: { filter: 'all' },
          itemsPath: 'hits',
          pagination: { type: 'cursor', cursorPath: 'after', param: 'after', in: 'body' },
        },
      ],
      { auth: { type: 'apiKey', in: 'query', name: 'key' } },
    );
    expect(await all(genericHttp.kindsFor!(installation)['projects']!, testConnection(installation, 'k'))).toEqual(
      fakeProjects(7),
    );
    expect(api.server.requests.map((request) => JSON.parse(request.body) as unknown)).toEqual([
      { filter: 'all' },
      { filter: 'all', after: '3' },
      { filter: 'all', after: '6' },
    ]);
    // The API key stays in the query, the paging field moved to the body.
    expect(api.server.requests.every((request) => request.url === '/search/cursor?key=k')).toBe(true);
  });

  it("fails the kind with the API's words when the search refuses the body, and never caches a POST", async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const installation = settings(api.origin, [
      { name: 'projects', path: '/search/projects', method: 'POST', body: { filter: 'some' }, itemsPath: 'hits' },
    ]);
    const cache = memoryResponseCache();
    await expect(
      all(genericHttp.kindsFor!(installation)['projects']!, testConnection(installation, 't', { responseCache: cache })),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      message: expect.stringContaining('400 to POST /search/projects: a JSON body'),
    });
    expect(cache.entries.size).toBe(0);
  });
});

describe('generic HTTP: auth', () => {
  const kind = { name: 'projects', path: '/link/projects', pagination: { type: 'linkHeader' } };
  const withTokenUrl = (auth: unknown, origin: string) =>
    JSON.parse(JSON.stringify(auth).replace('PLACEHOLDER', `${origin}/oauth/token`)) as unknown;

  it.each(AUTHS)('lists with $method, and a wrong secret is CREDENTIALS_INVALID', async ({ fake, auth, secret }) => {
    api = await FakeRestApi.start(fake);
    const installation = settings(api.origin, [kind], { auth: withTokenUrl(auth, api.origin) });
    const projects = genericHttp.kindsFor!(installation)['projects']!;
    expect(await all(projects, testConnection(installation, secret))).toEqual(fakeProjects(7));
    await expect(all(projects, testConnection(installation, `${secret}-wrong`))).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
    });
  });

  it('exchanges OAuth client credentials once and reuses the access token across listings', async () => {
    api = await FakeRestApi.start({ type: 'oauth2ClientCredentials', clientId: 'client-2', clientSecret: 'other' });
    const installation = settings(api.origin, [kind], {
      auth: { type: 'oauth2ClientCredentials', tokenUrl: `${api.origin}/oauth/token`, clientId: 'client-2' },
    });
    const projects = genericHttp.kindsFor!(installation)['projects']!;
    await all(projects, testConnection(installation, 'other'));
    await all(projects, testConnection(installation, 'other'));
    expect(api.tokensIssued).toBe(1);
    // The secret travels only to the token endpoint, never to the API.
    for (const request of api.server.requests.filter((r) => r.url !== '/oauth/token'))
      expect(JSON.stringify(request.headers)).not.toContain('other');
  });

  it('sends the extra headers with every request', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const installation = settings(api.origin, [kind], { headers: { 'X-Tenant': 'acme' } });
    await all(genericHttp.kindsFor!(installation)['projects']!, testConnection(installation, 't'));
    expect(api.server.requests.every((request) => request.headers['x-tenant'] === 'acme')).toBe(true);
  });
});

describe('generic HTTP: a dependent kind', () => {
  it('lists the child under each parent item and carries the parent in __parent', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const installation = settings(api.origin, [
      { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } },
      { name: 'issues', path: '/projects/{id}/issues', parent: { kind: 'projects' } },
    ]);
    const items = await all(genericHttp.kindsFor!(installation)['issues']!, testConnection(installation, 't'));
    const expected = fakeProjects(7).flatMap((project) =>
      fakeIssues(project.id).map((issue) => ({ ...issue, __parent: project })),
    );
    expect(items.sort((a, b) => (a['id'] as string).localeCompare(b['id'] as string))).toEqual(
      expected.sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('lists a kind two levels down once per grandchild, filling the path from the parent and the grandparent', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(5));
    const installation = settings(api.origin, [
      { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } },
      { name: 'issues', path: '/projects/{id}/issues', parent: { kind: 'projects' } },
      { name: 'comments', path: '/projects/{__parent.id}/issues/{id}/comments', parent: { kind: 'issues' } },
    ]);
    const items = await all(genericHttp.kindsFor!(installation)['comments']!, testConnection(installation, 't'));
    const expected = fakeProjects(5).flatMap((project) =>
      fakeIssues(project.id).flatMap((issue) =>
        fakeComments(issue.id).map((comment) => ({ ...comment, __parent: { ...issue, __parent: project } })),
      ),
    );
    expect(expected.length).toBeGreaterThan(0);
    const byId = (a: JsonObject, b: JsonObject) => (a['id'] as string).localeCompare(b['id'] as string);
    expect(items.sort(byId)).toEqual(expected.sort(byId));
  });

  it('skips and reports a parent whose listing is refused, so the run deletes nothing', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, [...fakeProjects(2), { id: 404, name: 'gone' }]);
    const installation = settings(api.origin, [
      { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } },
      { name: 'issues', path: '/projects/{name}/issues', parent: { kind: 'projects' } },
    ]);
    const failures: string[] = [];
    const items = await all(
      genericHttp.kindsFor!(installation)['issues']!,
      testConnection(installation, 't', { itemFailed: (failure) => failures.push(failure.item) }),
    );
    expect(items).toEqual([]);
    expect(failures.sort()).toEqual(['/projects/gone/issues', '/projects/project-1/issues', '/projects/project-2/issues']);
  });
});

describe('generic HTTP: settings', () => {
  function fieldsOf(raw: Record<string, string>): string[] {
    try {
      genericHttp.kindsFor!(raw);
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
      return (error as { details: { fields: { field: string }[] } }).details.fields.map((f) => f.field);
    }
    throw new Error('the settings were accepted');
  }

  it('refuses wrong declarations naming each field path', () => {
    const fields = fieldsOf({
      baseUrl: 'ftp://x',
      auth: '{"type":"apiKey","in":"cookie","name":"k"}',
      kinds: JSON.stringify([
        { name: 'a', path: 'no-slash', pagination: { type: 'pageNumber', size: 0 } },
        { name: 'b', path: '/b', method: 'DELETE' },
      ]),
      liveEvents: '{not json',
    });
    expect(fields.sort()).toEqual(
      [
        'settings.auth.in',
        'settings.baseUrl',
        'settings.kinds[0].path',
        'settings.kinds[0].pagination.size',
        'settings.kinds[1].method',
        'settings.liveEvents',
      ].sort(),
    );
  });

  it('refuses duplicate names, placeholders without a parent, unknown parents, two ways to find items, bodies without POST', () => {
    const fields = fieldsOf({
      baseUrl: 'https://api.example.com',
      kinds: JSON.stringify([
        { name: 'a', path: '/a' },
        { name: 'a', path: '/x/{id}' },
        { name: 'b', path: '/b/{id}', parent: { kind: 'nope' } },
        { name: 'c', path: '/c/{id}', parent: { kind: 'd' } },
        { name: 'd', path: '/d/{id}', parent: { kind: 'a' } },
        { name: 'e', path: '/e', itemsPath: 'data', itemsExpression: { language: 'jq', expression: '.data' } },
        { name: 'f', path: '/f', body: { q: 1 }, pagination: { type: 'offset', limit: 5, in: 'body' } },
      ]),
      liveEvents: JSON.stringify({ signatureHeader: 'x-s', algorithm: 'sha256', kind: 'zz', idPath: 'id' }),
    });
    expect(fields).toEqual([
      'settings.kinds[1].name',
      'settings.kinds[1].path',
      'settings.kinds[2].parent.kind',
      'settings.kinds[5].itemsExpression',
      'settings.kinds[6].body',
      'settings.kinds[6].pagination.in',
      'settings.liveEvents.kind',
    ]);
  });

  it('refuses parents that loop and chains deeper than the cap, saying which', () => {
    const refusal = (kinds: unknown[]) => {
      try {
        genericHttp.kindsFor!({ baseUrl: 'https://api.example.com', kinds: JSON.stringify(kinds) });
      } catch (error) {
        return (error as { details: { fields: { field: string; message: string }[] } }).details.fields;
      }
      throw new Error('the settings were accepted');
    };
    expect(
      refusal([
        { name: 'a', path: '/a' },
        { name: 'b', path: '/b/{id}', parent: { kind: 'c' } },
        { name: 'c', path: '/c/{id}', parent: { kind: 'b' } },
      ]),
    ).toEqual([
      { field: 'settings.kinds[1].parent.kind', message: 'the parents loop: b → c → b' },
      { field: 'settings.kinds[2].parent.kind', message: 'the parents loop: c → b → c' },
    ]);
    const chain = ['l0', 'l1', 'l2', 'l3', 'l4'].map((name, level) =>
      level === 0 ? { name, path: '/l0' } : { name, path: `/${name}/{id}`, parent: { kind: `l${level - 1}` } },
    );
    // Three levels below the root are allowed; the fourth is refused.
    expect(refusal(chain)).toEqual([
      { field: 'settings.kinds[4].parent.kind', message: 'depends through more than 3 levels (l4 → l3 → l2 → l1 → l0…)' },
    ]);
  });

  it("gives mapping validation and runs the installation's declared kinds", () => {
    const installation = settings('https://api.example.com', [{ name: 'projects', path: '/projects' }]);
    expect(Object.keys(withInstallationKinds(genericHttp, installation).kinds)).toEqual(['projects']);
    expect(Object.keys(genericHttp.kinds)).toEqual(['item']);
  });
});

describe('generic HTTP: live events', () => {
  const live = genericHttp.liveEvents!;
  const declared = settings('https://api.example.com', [{ name: 'projects', path: '/projects' }], {
    liveEvents: {
      signatureHeader: 'X-Signature',
      algorithm: 'sha256',
      prefix: 'sha256=',
      requestIdHeader: 'X-Delivery',
      timestampHeader: 'X-Timestamp',
      toleranceSeconds: 300,
      eventPath: 'action',
      kind: 'projects',
      itemPath: 'project',
      idPath: 'project.id',
      deletedWhen: { path: 'action', equals: 'deleted' },
    },
  });
  const now = new Date('2026-11-28T10:00:00Z');
  const body = Buffer.from(JSON.stringify({ action: 'updated', project: { id: 7, name: 'seven' } }));
  const signed = (secret: string, payload = body, sentAt = now) => ({
    rawBody: payload,
    headers: {
      'x-signature': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
      'x-delivery': 'd-1',
      'x-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    },
    receivedAt: now,
  });

  it('accepts a delivery signed with the current or the previous secret, with its delivery id', () => {
    expect(live.verify(signed('new'), ['new', 'old'], declared)).toEqual({ verified: true, deliveryId: 'd-1', event: 'updated' });
    expect(live.verify(signed('old'), ['new', 'old'], declared)).toMatchObject({ verified: true });
  });

  it('refuses a forged, unsigned, stale or undeclared delivery', () => {
    expect(live.verify(signed('forger'), ['new'], declared)).toEqual({ verified: false, reason: 'bad_signature' });
    const tampered = { ...signed('new'), rawBody: Buffer.from(body.toString().replace('seven', 'eight')) };
    expect(live.verify(tampered, ['new'], declared)).toEqual({ verified: false, reason: 'bad_signature' });
    const { 'x-signature': _, ...unsigned } = signed('new').headers;
    expect(live.verify({ ...signed('new'), headers: unsigned }, ['new'], declared)).toEqual({
      verified: false,
      reason: 'missing_signature',
    });
    expect(live.verify(signed('new', body, new Date(now.getTime() - 600_000)), ['new'], declared)).toEqual({
      verified: false,
      reason: 'stale',
    });
    expect(live.verify(signed('new'), ['new'])).toEqual({ verified: false, reason: 'missing_signature' });
    const bareKinds = settings('https://api.example.com', [{ name: 'projects', path: '/projects' }]);
    expect(live.verify(signed('new'), ['new'], bareKinds)).toEqual({ verified: false, reason: 'missing_signature' });
  });

  it('verifies sha1 and a plain token as declared', () => {
    const sha1 = settings('https://a.example', [{ name: 'p', path: '/p' }], {
      liveEvents: { signatureHeader: 'x-hub-signature', algorithm: 'sha1', prefix: 'sha1=', kind: 'p', idPath: 'id' },
    });
    const payload = Buffer.from('{"id":1}');
    const delivery = (headers: Record<string, string>) => ({ rawBody: payload, headers, receivedAt: now });
    const digest = createHmac('sha1', 's').update(payload).digest('hex');
    expect(live.verify(delivery({ 'x-hub-signature': `sha1=${digest}` }), ['s'], sha1)).toMatchObject({
      verified: true,
      deliveryId: null,
    });
    expect(live.verify(delivery({ 'x-hub-signature': digest }), ['s'], sha1)).toMatchObject({
      verified: false,
      reason: 'bad_signature',
    });

    const plain = settings('https://a.example', [{ name: 'p', path: '/p' }], {
      liveEvents: { signatureHeader: 'X-Gitlab-Token', algorithm: 'plain', kind: 'p', idPath: 'id', requestIdPath: 'id' },
    });
    expect(live.verify(delivery({ 'x-gitlab-token': 's' }), ['other', 's'], plain)).toEqual({
      verified: true,
      deliveryId: '1',
      event: 'p',
    });
    expect(live.verify(delivery({ 'x-gitlab-token': 'S' }), ['s'], plain)).toMatchObject({ verified: false });
  });

  it('turns a delivery into an upsert of the item, or a deletion when its condition holds', () => {
    expect(live.changes({ headers: {}, body: { action: 'updated', project: { id: 7, name: 'seven' } } }, declared)).toEqual([
      { kind: 'projects', itemId: '7', action: 'upsert', item: { id: 7, name: 'seven' } },
    ]);
    expect(live.changes({ headers: {}, body: { action: 'deleted', project: { id: 7 } } }, declared)).toEqual([
      { kind: 'projects', itemId: '7', action: 'delete', item: { id: 7 } },
    ]);
    expect(() => live.changes({ headers: {}, body: { action: 'updated' } }, declared)).toThrow(/no item at "project"/);
  });
});

describe('generic HTTP: one item by id (confirming live deletions)', () => {
  const live = genericHttp.liveEvents!;
  const kind = (extra: Record<string, unknown> = {}) => ({ name: 'projects', path: '/page/projects', ...extra });

  it('reads the item at itemPath, and answers null only when the tool says 404', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(3));
    const connection = testConnection(settings(api.origin, [kind({ itemPath: '/projects/{id}' })]), 't');
    expect(await live.fetchItem(connection, 'projects', '2')).toEqual(fakeProjects(3)[1]);
    expect(await live.fetchItem(connection, 'projects', '9')).toBeNull();
    // The id is URL-encoded into the path, never a way to another route.
    expect(await live.fetchItem(connection, 'projects', '2/issues')).toBeNull();
    expect(api.server.requests.map((r) => r.url)).toEqual(['/projects/2', '/projects/9', '/projects/2%2Fissues']);
    expect(api.server.requests[0]!.headers.authorization).toBe('Bearer t');
  });

  it('finds the item at itemKey inside the answer', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(3));
    const connection = testConnection(settings(api.origin, [kind({ itemPath: '/wrapped/projects/{id}', itemKey: 'data' })]), 't');
    expect(await live.fetchItem(connection, 'projects', '3')).toEqual(fakeProjects(3)[2]);
    const missing = testConnection(settings(api.origin, [kind({ itemPath: '/wrapped/projects/{id}', itemKey: 'nope' })]), 't');
    await expect(live.fetchItem(missing, 'projects', '3')).rejects.toMatchObject({ code: 'UPSTREAM_MALFORMED' });
  });

  it('fails, never answering gone, when the answer is neither the item nor 404/410', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(3));
    // A listing answers a list, not an item.
    const listing = testConnection(settings(api.origin, [kind({ itemPath: '/projects/{id}/issues' })]), 't');
    await expect(live.fetchItem(listing, 'projects', '1')).rejects.toMatchObject({ code: 'UPSTREAM_MALFORMED' });
    const refused = testConnection(settings(api.origin, [kind({ itemPath: '/projects/{id}' })]), 'wrong');
    await expect(live.fetchItem(refused, 'projects', '1')).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
  });

  it('refuses to report a kind without itemPath gone: a coded error, no request', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' }, fakeProjects(3));
    const connection = testConnection(settings(api.origin, [kind()]), 't');
    await expect(live.fetchItem(connection, 'projects', '9')).rejects.toMatchObject({
      code: 'UPSTREAM_INCOMPLETE',
      message: expect.stringContaining('cannot confirm the deletion with the tool: kind projects declares no itemPath'),
    });
    expect(api.server.requests).toEqual([]);
  });

  it('refuses an itemPath without {id}, outside the base URL or with other placeholders, naming the field', () => {
    const fieldsOf = (itemPath: string) => {
      try {
        genericHttp.kindsFor!(settings('https://api.example.com', [kind({ itemPath })]));
      } catch (error) {
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
        return (error as { details: { fields: { field: string }[] } }).details.fields.map((f) => f.field);
      }
      return [];
    };
    expect(fieldsOf('/projects')).toEqual(['settings.kinds[0].itemPath']);
    expect(fieldsOf('projects/{id}')).toEqual(['settings.kinds[0].itemPath']);
    expect(fieldsOf('/projects/{id}/{other}')).toEqual(['settings.kinds[0].itemPath']);
    expect(fieldsOf('/projects/{id}')).toEqual([]);
  });
});
