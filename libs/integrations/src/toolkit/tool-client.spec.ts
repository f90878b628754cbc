import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError, isDomainError } from '@mooring/platform';
import type { IntegrationConnection, ItemFailure, SharedConcurrency } from '../integration-definition.js';
import { CredentialBudget } from './credential-budget.js';
import { skippingItemFailures } from './item-failures.js';
import { LoopbackServer, sendJson, type RecordedRequest } from './testing/loopback-server.js';
import { memoryResponseCache, testConnection } from './testing/test-connection.js';
import { ToolClient, type ToolClientOptions } from './tool-client.js';

type Answer = (request: RecordedRequest, response: http.ServerResponse) => void;

describe('the toolkit’s HTTP client', () => {
  const servers: LoopbackServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  /** A tool answering with `answers` in turn (the last one again and again). */
  async function tool(...answers: Answer[]): Promise<LoopbackServer> {
    let index = 0;
    const server = await LoopbackServer.start((request, response) =>
      answers[Math.min(index++, answers.length - 1)]!(request, response),
    );
    servers.push(server);
    return server;
  }
  function client(server: LoopbackServer, extra: Partial<IntegrationConnection> = {}, options: Partial<ToolClientOptions> = {}) {
    const budget = new CredentialBudget();
    const toolClient = new ToolClient(
      testConnection({}, 's3cret-token', extra),
      {
        id: 'tool',
        tool: 'The tool',
        apiRoot: server.origin,
        headers: (token) => ({ authorization: `Bearer ${token}` }),
        ...options,
      },
      budget,
    );
    return { client: toolClient, budget };
  }
  const ok =
    (body: unknown, headers: Record<string, string> = {}): Answer =>
    (_request, response) =>
      sendJson(response, 200, body, headers);
  const status =
    (code: number, headers: Record<string, string> = {}): Answer =>
    (_request, response) =>
      sendJson(response, code, { message: `answered ${code}` }, headers);

  it('makes a GET conditional when the installation’s cache has the URL, and serves a 304 from the cache', async () => {
    const server = await tool((request, response) => {
      if (request.headers['if-none-match'] === 'W/"v1"') return void response.writeHead(304, { etag: 'W/"v1"' }).end();
      sendJson(response, 200, [{ id: 1 }], { etag: 'W/"v1"', link: '<x?page=2>; rel="next"' });
    });
    const cache = memoryResponseCache();
    const { client: c } = client(server, { responseCache: cache });
    const first = await c.get(c.url('/things'));
    const second = await c.get(c.url('/things'));
    expect(first).toMatchObject({ status: 200, body: [{ id: 1 }], notModified: false });
    expect(second).toMatchObject({ status: 304, body: [{ id: 1 }], notModified: true });
    expect(second?.headers.get('link')).toBe('<x?page=2>; rel="next"');
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, 'W/"v1"']);
    expect(c.stats).toMatchObject({ requests: 2, notModified: 1 });
  });

  it('waits out a 429 with Retry-After and then answers', async () => {
    const server = await tool(status(429, { 'retry-after': '1' }), ok({ fine: true }));
    const { client: c } = client(server);
    expect(await c.get(c.url('/x'))).toMatchObject({ body: { fine: true } });
    expect(c.stats.rateLimitWaits).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on a tool that keeps rate limiting, with its Retry-After, so the run retries later', async () => {
    const server = await tool(status(429, { 'retry-after': '0' }));
    const { client: c } = client(server, {}, { maxRateLimitWaits: 3 });
    const error = await c.get(c.url('/x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UPSTREAM_FAILED', details: { status: 429, retryAfterMs: 0 } });
    expect(c.stats.rateLimitWaits).toBe(3);
    expect(server.requests).toHaveLength(4);
  });

  it('holds further requests when the quota (IETF RateLimit-*) is spent, until its reset', async () => {
    const server = await tool(ok([], { 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' }), ok([]));
    const { client: c, budget } = client(server);
    await c.get(c.url('/a'));
    await c.get(c.url('/b'));
    expect(budget.waitedMs).toBeGreaterThan(500);
  });

  it('retries server errors with backoff, and reports the last one with its status when attempts run out', async () => {
    const flaky = await tool(status(503), status(502), ok({ ok: 1 }));
    const first = client(flaky).client;
    expect(await first.get(first.url('/x'))).toMatchObject({ body: { ok: 1 } });
    expect(flaky.requests).toHaveLength(3);

    const down = await tool(status(500));
    const second = client(down, {}, { maxAttempts: 2 }).client;
    const error = await second.get(second.url('/x')).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'UPSTREAM_FAILED',
      message: 'The tool answered 500 to GET /x: answered 500',
      details: { status: 500 },
    });
    expect(down.requests).toHaveLength(2);
  });

  it('reports refused credentials as CREDENTIALS_INVALID, and other 4xx as the tool’s answer, without retrying', async () => {
    const server = await tool(status(401), status(403));
    const { client: c } = client(server);
    await expect(c.get(c.url('/x'))).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID', details: { status: 401 } });
    await expect(c.get(c.url('/y'))).rejects.toMatchObject({ code: 'UPSTREAM_FAILED', details: { status: 403 } });
    expect(server.requests).toHaveLength(2);
  });

  it('takes a slot of the shared per-credential cap for each request, named without the token', async () => {
    const calls: Array<{ key: string; limit: number }> = [];
    let released = 0;
    const shared: SharedConcurrency = {
      acquire: (key, limit) => {
        calls.push({ key, limit });
        return Promise.resolve(() => Promise.resolve(void released++));
      },
    };
    const server = await tool(ok([]));
    const { client: c } = client(server, { sharedConcurrency: shared });
    await c.get(c.url('/a'));
    await c.get(c.url('/b'));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ limit: 10 }); // the per-credential cap, 10 unless the tool says otherwise
    expect(calls[0]!.key).toMatch(/^tool:[\w-]+$/);
    expect(calls[0]!.key).not.toContain('s3cret');
    expect(released).toBe(2);
  });

  it('stops reading a body that trickles in when the run’s signal aborts, with the signal’s reason', async () => {
    const server = await tool((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    });
    const run = new AbortController();
    const { client: c } = client(server, { signal: run.signal });
    setTimeout(() => run.abort(new DomainError('RUN_TIMED_OUT', 'the run exceeded its time limit')), 300);
    const error = await c.get(c.url('/slow')).catch((e: unknown) => e);
    expect(isDomainError(error, 'RUN_TIMED_OUT')).toBe(true);
  });
});

describe('per-item failures', () => {
  const connection = (failures?: ItemFailure[]) =>
    testConnection({}, 't', failures ? { itemFailed: (failure) => void failures.push(failure) } : {});
  const refused = new DomainError('UPSTREAM_FAILED', 'GitHub answered 403 to GET /repos/acme/secret/pulls', { status: 403 });
  async function* expand(item: string): AsyncGenerator<string[]> {
    yield await Promise.resolve([`${item}-1`]);
    if (item === 'secret') throw refused;
    if (item === 'revoked') throw new DomainError('CREDENTIALS_INVALID', 'revoked', { status: 401 });
    yield [`${item}-2`];
  }
  const run = async (items: string[], failures?: ItemFailure[]) => {
    const expanded = skippingItemFailures(connection(failures), (item: string) => item, expand);
    const out: string[] = [];
    for (const item of items) for await (const page of expanded(item)) out.push(...page);
    return out;
  };

  it('skips the item whose listing the tool refused, reports it, and goes on with the next', async () => {
    const failures: ItemFailure[] = [];
    expect(await run(['a', 'secret', 'b'], failures)).toEqual(['a-1', 'a-2', 'secret-1', 'b-1', 'b-2']);
    expect(failures).toEqual([{ item: 'secret', reason: refused.message }]);
  });

  it('still fails the kind on what concerns every item (refused credentials), and when nobody counts the skips', async () => {
    await expect(run(['a', 'revoked'], [])).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
    await expect(run(['secret'])).rejects.toBe(refused);
  });
});
