import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../integration-definition.js';
import * as paging from './paging.js';
import { LoopbackServer, sendJson } from './testing/loopback-server.js';
import { PagedToolServer } from './testing/paged-tool.server.js';
import { testConnection } from './testing/test-connection.js';
import { ToolClient } from './tool-client.js';

const field = (key: string) => (body: JsonValue) =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? body[key] : undefined;

async function collect(client: ToolClient, path: string, strategy: paging.Paging): Promise<JsonObject[][]> {
  const pages: JsonObject[][] = [];
  for await (const page of client.pages(client.url(path), strategy)) pages.push(page);
  return pages;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
}

describe('paging strategies', () => {
  let tool: PagedToolServer;
  let client: ToolClient;

  beforeAll(async () => {
    tool = await PagedToolServer.start();
    client = new ToolClient(testConnection({}, 'tok3n'), {
      id: 'paged',
      tool: 'The paged tool',
      apiRoot: tool.origin,
      headers: (token) => ({ authorization: `Bearer ${token}` }),
    });
  });
  afterAll(() => tool.close());

  const size = PagedToolServer.PAGE;
  it.each<[string, string, paging.Paging]>([
    ['Link header (GitHub, GitLab)', `/link?per_page=${size}`, paging.linkHeader()],
    ['page numbers with X-Next-Page (GitLab)', '/numbered', paging.pageNumber({ size, nextPageHeader: 'x-next-page' })],
    ['page numbers until a short page', '/numbered', paging.pageNumber({ size })],
    [
      'offset with `more` (PagerDuty)',
      '/offset',
      paging.offset({ limit: size, itemsKey: 'incidents', more: (body) => field('more')(body) === true }),
    ],
    [
      'a cursor in a parameter (Jira’s nextPageToken)',
      '/token',
      paging.cursor({
        itemsKey: 'issues',
        next: field('nextPageToken'),
        param: 'nextPageToken',
        done: (body) => field('isLast')(body) === true,
      }),
    ],
    ['a next URL in the body', '/next', paging.cursor({ itemsKey: 'items', next: field('next') })],
    ['keyset after the last item’s id', '/keyset', paging.keyset({ size, param: 'id_after', key: (item) => item['id'] })],
  ])('%s: every item once, in order, a page at a time', async (_name, path, strategy) => {
    const pages = await collect(client, path, strategy);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat().map((item) => item['n'])).toEqual(Array.from({ length: PagedToolServer.ITEMS }, (_, n) => n));
  });

  it('reads rel="next" among the other relations of a Link header', () => {
    const link =
      '<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="prev", <https://api.github.com/repositories/1000/issues?per_page=3&page=3>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last"';
    expect(paging.nextLink(link)).toBe('https://api.github.com/repositories/1000/issues?per_page=3&page=3');
    expect(paging.nextLink('<https://api.github.com/x?page=1>; rel="first"')).toBeNull();
    expect(paging.nextLink(null)).toBeNull();
  });

  it('fails a listing that goes beyond what offset paging reaches, rather than ending it short', async () => {
    const pages: JsonObject[][] = [];
    const error = await failure(
      (async () => {
        const strategy = paging.offset({
          limit: size,
          itemsKey: 'incidents',
          maxOffset: 20,
          more: (b) => field('more')(b) === true,
        });
        for await (const page of client.pages(client.url('/offset'), strategy)) pages.push(page);
      })(),
    );
    expect(pages.map((page) => page.length)).toEqual([10, 10]);
    expect(error).toMatchObject({ code: 'UPSTREAM_FAILED', details: { reason: 'listing_beyond_reach', maxOffset: 20 } });
  });

  it('fails a listing whose next page repeats, or whose page holds no list', async () => {
    expect(await failure(collect(client, '/loop', paging.cursor({ itemsKey: 'items', next: field('next') })))).toMatchObject({
      code: 'UPSTREAM_FAILED',
      details: { reason: 'paging_loop', status: 200 },
    });
    expect(
      await failure(collect(client, '/not-a-list', paging.cursor({ itemsKey: 'items', next: field('next') }))),
    ).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
      message: `The paged tool's answer to GET /not-a-list is not a listing: it holds no list at "items"`,
      details: { reason: 'not_a_listing', status: 200 },
    });
    expect(
      await failure(collect(client, '/token', paging.cursor({ itemsKey: 'issues', next: () => ({ page: 2 }), param: 'p' }))),
    ).toMatchObject({
      code: 'UPSTREAM_FAILED',
      details: { reason: 'invalid_cursor' },
    });
  });

  it('never takes the credentials to a next page on another origin', async () => {
    const elsewhere = await LoopbackServer.start((_request, response) => sendJson(response, 200, { items: [], next: null }));
    try {
      const hostile = await LoopbackServer.start((_request, response) =>
        sendJson(response, 200, { items: [{ id: 'a' }], next: `${elsewhere.origin}/steal?page=2` }),
      );
      const victim = new ToolClient(testConnection({}, 'tok3n'), {
        id: 'hostile',
        tool: 'The hostile tool',
        apiRoot: hostile.origin,
        headers: (token) => ({ authorization: `Bearer ${token}` }),
      });
      const pages: JsonObject[][] = [];
      const error = await failure(
        (async () => {
          for await (const page of victim.pages(victim.url('/items'), paging.cursor({ itemsKey: 'items', next: field('next') })))
            pages.push(page);
        })(),
      );
      expect(pages).toEqual([[{ id: 'a' }]]);
      expect(error).toMatchObject({ code: 'UPSTREAM_FAILED', details: { reason: 'outside_api_root', host: elsewhere.origin } });
      expect(elsewhere.requests).toEqual([]);
      await hostile.close();
    } finally {
      await elsewhere.close();
    }
  });

  it('keeps a path prefix: a link out of the API root is refused on the same host too', () => {
    const prefixed = new ToolClient(testConnection({}, 'tok3n'), {
      id: 'prefixed',
      tool: 'The prefixed tool',
      apiRoot: `${tool.origin}/api/v3`,
      headers: () => ({}),
    });
    expect(() => prefixed.root.check(`${tool.origin}/login`)).toThrow(/outside its API/);
    expect(() => prefixed.root.check(`${tool.origin}/api/v30/x`)).toThrow(/outside its API/);
    expect(() => prefixed.root.check(`http://user:pass@${new URL(tool.origin).host}/api/v3/x`)).toThrow(/outside its API/);
    expect(prefixed.root.check(`${tool.origin}/api/v3/repositories/1?page=2`).pathname).toBe('/api/v3/repositories/1');
  });
});
