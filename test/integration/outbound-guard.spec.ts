import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@mooring/platform';
import { OutboundHttp } from '@mooring/outbound';
import { freePort } from '../../tools/lib/wait.mjs';
import { HOSTILE_HOSTS, PUBLIC_ADDRESS, fakeZone } from '../support/hostile-hosts.js';
import { LoopbackServer, sendJson } from '@mooring/integrations/testing';
import { selfSignedCertificate } from '../support/tls-certificate.js';

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

// The guard as connections use it: real sockets on loopback, DNS answers from a fake zone.
describe('SSRF guard at connection time', () => {
  // Production settings: loopback refused like any internal range.
  const production = new OutboundHttp({ allowLoopback: false, resolver: fakeZone() });
  let target: LoopbackServer;

  beforeAll(async () => {
    target = await LoopbackServer.start((_request, response) => sendJson(response, 200, { ok: true }));
  });

  afterAll(async () => {
    await production.onModuleDestroy();
    await target.close();
  });

  it.each(HOSTILE_HOSTS)('refuses %s (%s) before any byte is sent', async (_description, host) => {
    const fetch = production.fetchFor({ allowHttp: false });
    const error = await refusal(fetch(`${host}/api/v3/user`, { headers: { authorization: 'Bearer ghp_secret' } }));
    expect(error.code).toBe('HOST_NOT_ALLOWED');
    expect(error.message).not.toContain('ghp_secret');
  });

  it('refuses loopback unless the unsafe test setting is on, even for plain http an org allowed', async () => {
    const fetch = production.fetchFor({ allowHttp: true });
    const error = await refusal(fetch(`${target.origin}/`));
    expect(error.details).toMatchObject({ reason: 'forbidden_address', range: 'loopback' });
    expect(target.requests).toHaveLength(0);
  });

  it('says a host does not resolve (HOST_NOT_FOUND) instead of calling it not allowed, and a failed lookup passes', async () => {
    const unknown = await refusal(production.assertAllowed('https://no-such-host.tool.test/api', { allowHttp: false }));
    expect(unknown).toMatchObject({
      code: 'HOST_NOT_FOUND',
      message: 'The host https://no-such-host.tool.test does not resolve (ENOTFOUND): check its name',
      details: { host: 'https://no-such-host.tool.test', cause: 'ENOTFOUND' },
    });
    const flaky = new OutboundHttp({
      allowLoopback: false,
      resolver: () => Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' })),
    });
    try {
      const lookupFailed = await refusal(flaky.fetchFor({ allowHttp: false })('https://public.tool.test/'));
      expect(lookupFailed).toMatchObject({ code: 'UPSTREAM_FAILED', details: { cause: 'EAI_AGAIN' } });
    } finally {
      await flaky.onModuleDestroy();
    }
  });

  it('defeats DNS rebinding: the address dialled is the one checked at connection time', async () => {
    let answers = 0;
    const rebinding = fakeZone({ 'rebind.attacker.test': () => (answers++ === 0 ? [PUBLIC_ADDRESS] : ['127.0.0.1']) });
    const guard = new OutboundHttp({ allowLoopback: false, resolver: rebinding });
    try {
      // When saved, the name pointed at a public address...
      await expect(
        guard.assertAllowed(`http://rebind.attacker.test:${target.port}`, { allowHttp: true }),
      ).resolves.toBeInstanceOf(URL);
      // ...by the time a connection is made it points at loopback, and the connection is refused.
      const error = await refusal(guard.fetchFor({ allowHttp: true })(`http://rebind.attacker.test:${target.port}/`));
      expect(error.details).toMatchObject({ reason: 'forbidden_address', range: 'loopback' });
      expect(rebinding.lookups).toEqual(['rebind.attacker.test', 'rebind.attacker.test']);
      expect(target.requests).toHaveLength(0);
    } finally {
      await guard.onModuleDestroy();
    }
  });

  it('refuses the same rebinding name on the node:http agent used for OAuth token requests', async () => {
    const rebinding = fakeZone({ 'rebind.attacker.test': ['127.0.0.1'] });
    const guard = new OutboundHttp({ allowLoopback: false, resolver: rebinding });
    const url = new URL(`http://rebind.attacker.test:${target.port}/token`);
    const error = await new Promise<unknown>((resolve) => {
      http.get(url, { agent: guard.nodeAgent(url) }, () => resolve(new Error('connected'))).on('error', resolve);
    });
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('HOST_NOT_ALLOWED');
    expect(target.requests).toHaveLength(0);
    await guard.onModuleDestroy();
  });
});

describe('SSRF guard on redirects and TLS', () => {
  const certificate = selfSignedCertificate('api.tool.test');
  const zone = fakeZone({ 'api.tool.test': ['127.0.0.1'], 'other.tool.test': ['127.0.0.1'] });
  // As tests run it: loopback reachable, everything else internal still refused.
  const guard = new OutboundHttp({ allowLoopback: true, resolver: zone, ca: certificate.cert });
  let tool: LoopbackServer;
  let tlsTool: LoopbackServer;
  let elsewhere: LoopbackServer;
  let redirectTo = '';

  beforeAll(async () => {
    elsewhere = await LoopbackServer.start((_request, response) => sendJson(response, 200, { elsewhere: true }));
    tool = await LoopbackServer.start((request, response) => {
      if (request.url.startsWith('/redirect')) {
        response.writeHead(302, { location: redirectTo }).end();
      } else if (request.url.startsWith('/loop')) {
        response.writeHead(307, { location: '/loop' }).end();
      } else {
        sendJson(response, 200, { host: request.headers.host, authorization: request.headers.authorization ?? null });
      }
    });
    tlsTool = await LoopbackServer.start(
      (request, response) => {
        if (request.url === '/downgrade') response.writeHead(301, { location: `http://api.tool.test:${tool.port}/` }).end();
        else sendJson(response, 200, { host: request.headers.host });
      },
      { tls: certificate },
    );
  });

  afterAll(async () => {
    await guard.onModuleDestroy();
    await Promise.all([tool.close(), tlsTool.close(), elsewhere.close()]);
  });

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['a private address', 'http://10.0.0.5/admin'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:1/'],
    ['a name resolving to a private address', 'http://internal.attacker.test/'],
    ['a non-http scheme', 'file:///etc/passwd'],
    ['user-info', 'http://github.com@10.0.0.5/'],
  ])('refuses a redirect to %s', async (_description, location) => {
    redirectTo = location;
    const error = await refusal(guard.fetchFor({ allowHttp: true })(`http://api.tool.test:${tool.port}/redirect`));
    expect(error.code).toBe('HOST_NOT_ALLOWED');
  });

  it('stops after 5 redirects', async () => {
    const error = await refusal(guard.fetchFor({ allowHttp: true })(`http://api.tool.test:${tool.port}/loop`));
    expect(error.details).toMatchObject({ reason: 'too_many_redirects' });
    expect(tool.requests.filter((r) => r.url === '/loop')).toHaveLength(6);
  });

  it('follows an allowed redirect, dropping credentials when the origin changes', async () => {
    redirectTo = `http://other.tool.test:${tool.port}/echo`;
    const response = await guard.fetchFor({ allowHttp: true })(`http://api.tool.test:${tool.port}/redirect`, {
      headers: { authorization: 'Bearer t0ken-for-api' },
    });
    expect(await response.json()).toEqual({ host: `other.tool.test:${tool.port}`, authorization: null });

    redirectTo = `/echo`;
    const sameOrigin = await guard.fetchFor({ allowHttp: true })(`http://api.tool.test:${tool.port}/redirect`, {
      headers: { authorization: 'Bearer t0ken-for-api' },
    });
    expect(await sameOrigin.json()).toMatchObject({ authorization: 'Bearer t0ken-for-api' });
  });

  it('pins the checked address yet verifies the certificate against the host name', async () => {
    const response = await guard.fetchFor({ allowHttp: false })(`https://api.tool.test:${tlsTool.port}/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ host: `api.tool.test:${tlsTool.port}` });

    const wrongName = await refusal(guard.fetchFor({ allowHttp: false })(`https://other.tool.test:${tlsTool.port}/`));
    expect(wrongName.code).toBe('UPSTREAM_FAILED');
    expect(wrongName.details['cause']).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses a redirect from https down to plain http unless the org allows http', async () => {
    const error = await refusal(guard.fetchFor({ allowHttp: false })(`https://api.tool.test:${tlsTool.port}/downgrade`));
    expect(error.details).toMatchObject({ reason: 'scheme' });
  });

  it('honours the run signal and reports unreachable hosts as UPSTREAM_FAILED', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(guard.fetchFor({ allowHttp: true }, controller.signal)(`http://api.tool.test:${tool.port}/`)).rejects.toThrow(
      'run cancelled',
    );
    const closed = await refusal(guard.fetchFor({ allowHttp: true })(`http://api.tool.test:${await freePort()}/`));
    expect(closed).toMatchObject({ code: 'UPSTREAM_FAILED', details: { cause: 'ECONNREFUSED' } });
  });
});

describe('response bodies through the guard', () => {
  const zone = fakeZone({ 'api.tool.test': ['127.0.0.1'] });
  const guard = new OutboundHttp({ allowLoopback: true, resolver: zone, maxResponseBytes: 100_000, requestTimeoutMs: 1_500 });
  const fetch = guard.fetchFor({ allowHttp: true });
  let tool: http.Server;
  let url: (path: string) => string;

  beforeAll(async () => {
    tool = http.createServer((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': 500_000 });
        response.end(`"${'x'.repeat(499_998)}"`);
      } else if (request.url === '/streamed') {
        // No Content-Length: the body only shows its size as it arrives.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`"${'x'.repeat(499_998)}"`);
      } else if (request.url === '/trickle') {
        response.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => response.write(' '), 100);
        response.on('close', () => clearInterval(timer));
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(99_000)}"`);
      }
    });
    await new Promise<void>((resolve) => tool.listen(0, '127.0.0.1', resolve));
    const { port } = tool.address() as { port: number };
    url = (path) => `http://api.tool.test:${port}${path}`;
  });

  afterAll(async () => {
    await guard.onModuleDestroy();
    tool.closeAllConnections();
    await new Promise((resolve) => tool.close(resolve));
  });

  it('reads a body within the cap', async () => {
    expect(((await (await fetch(url('/small'))).json()) as string).length).toBe(99_000);
  });

  it('refuses a body whose declared length exceeds the cap, before reading it', async () => {
    const error = await refusal(fetch(url('/declared')));
    expect(error).toMatchObject({
      code: 'UPSTREAM_RESPONSE_TOO_LARGE',
      details: { host: expect.stringContaining('api.tool.test'), limitBytes: 100_000, status: 200 },
    });
    expect(error.message).toContain('OUTBOUND_MAX_RESPONSE_BYTES');
  });

  it('cuts off a body that grows past the cap while it is read', async () => {
    const response = await fetch(url('/streamed'));
    const error = await refusal(response.text());
    expect(error.code).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
  });

  it('cuts off a body that trickles in past the request timeout', async () => {
    const response = await fetch(url('/trickle'));
    const error = await refusal(response.text());
    expect(error).toMatchObject({ code: 'UPSTREAM_FAILED', details: { cause: 'timeout' } });
  });

  it('cuts off a body that trickles in when the run’s signal aborts, with the run’s reason', async () => {
    const run = new AbortController();
    const response = await guard.fetchFor({ allowHttp: true }, run.signal)(url('/trickle'));
    setTimeout(() => run.abort(new DomainError('RUN_TIMED_OUT', 'the run exceeded its time limit')), 200);
    expect((await refusal(response.text())).code).toBe('RUN_TIMED_OUT');
  });
});
