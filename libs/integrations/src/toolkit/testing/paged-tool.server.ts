import type http from 'node:http';
import { LoopbackServer, sendJson, type RecordedRequest } from './loopback-server.js';

/**
 * A tool on loopback serving the same 25 items (`{id: "item-N", n: N}`) through each paging style
 * the toolkit knows, for the toolkit's own tests:
 * - `/link`: arrays with `Link: rel="next"` (GitHub, GitLab);
 * - `/numbered`: arrays with `X-Next-Page`, empty on the last page (GitLab's offset listings);
 * - `/offset`: `{"incidents": […], "more": bool}` by `offset`/`limit` (PagerDuty);
 * - `/token`: `{"issues": […], "nextPageToken", "isLast"}` (Jira's search);
 * - `/next`: `{"items": […], "next": "<url>"|null}` (a next URL in the body);
 * - `/keyset`: arrays by `id_after` (keyset paging);
 * plus `/loop` (always the same next page) and `/not-a-list`.
 */
export class PagedToolServer {
  static readonly ITEMS = 25;
  static readonly PAGE = 10;

  private constructor(readonly server: LoopbackServer) {}

  static async start(): Promise<PagedToolServer> {
    return new PagedToolServer(await LoopbackServer.start((request, response) => answer(request, response)));
  }

  get origin(): string {
    return this.server.origin;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

const items = Array.from({ length: PagedToolServer.ITEMS }, (_, n) => ({ id: `item-${n}`, n }));

function answer(request: RecordedRequest, response: http.ServerResponse): void {
  const origin = `http://${request.headers.host}`;
  const url = new URL(request.url, origin);
  const query = url.searchParams;
  const size = Number(query.get('per_page') ?? query.get('limit') ?? PagedToolServer.PAGE);
  const slice = (start: number) => items.slice(start, start + size);
  switch (url.pathname) {
    case '/link': {
      const page = Number(query.get('page') ?? 1);
      const last = Math.ceil(items.length / size);
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      return sendJson(response, 200, slice((page - 1) * size), page < last ? { link: `<${next.href}>; rel="next"` } : {});
    }
    case '/numbered': {
      const page = Number(query.get('page'));
      const last = Math.ceil(items.length / size);
      return sendJson(response, 200, slice((page - 1) * size), { 'x-next-page': page < last ? String(page + 1) : '' });
    }
    case '/offset': {
      const offset = Number(query.get('offset'));
      return sendJson(response, 200, { incidents: slice(offset), more: offset + size < items.length, limit: size, offset });
    }
    case '/token': {
      const start = Number(query.get('nextPageToken') ?? 0);
      const isLast = start + size >= items.length;
      return sendJson(response, 200, {
        issues: slice(start),
        isLast,
        ...(isLast ? {} : { nextPageToken: String(start + size) }),
      });
    }
    case '/next': {
      const page = Number(query.get('page') ?? 0);
      const more = (page + 1) * size < items.length;
      return sendJson(response, 200, { items: slice(page * size), next: more ? `${origin}/next?page=${page + 1}` : null });
    }
    case '/keyset': {
      const after = query.get('id_after');
      const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
      return sendJson(response, 200, slice(start));
    }
    case '/loop':
      return sendJson(response, 200, { items: slice(0), next: `${origin}/loop?page=1` });
    case '/not-a-list':
      return sendJson(response, 200, { message: 'Maintenance: back soon' });
    default:
      return sendJson(response, 404, { message: 'Not Found' });
  }
}
