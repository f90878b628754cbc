import 'reflect-metadata';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api as contract } from '@mooring/contract';
import { RouteLimits } from '../../apps/api/src/http/route-limits.js';
import { TestApi } from '../support/test-api.js';

// The webhook routes are served on Express directly, past Nest's per-request pipeline (its hottest
// path): what that pipeline gives every other route must still be there. Deliveries go to the
// platform App's webhook, whose answers need no installation (an App installation nobody uses is
// acknowledged as ignored); every answer is compared with what the api answers elsewhere.
describe('the webhook routes, served raw', () => {
  const APP_ID = 424242;
  const secret = 'app-webhook-secret-for-the-raw-routes';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let api: TestApi;
  let securityHeaders: Array<[string, string]>;

  const post = (path: string, body: string, headers: Record<string, string> = {}, signWith: string | null = secret) =>
    api.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-github-hook-installation-target-type': 'integration',
        'x-github-hook-installation-target-id': String(APP_ID),
        ...(signWith ? { 'x-hub-signature-256': `sha256=${createHmac('sha256', signWith).update(body).digest('hex')}` } : {}),
        ...headers,
      },
      body,
    });
  const appDelivery = JSON.stringify({ zen: 'Keep it logically awesome.', installation: { id: 999_001 } });
  const logLines = () => api.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const expectApiHeaders = (response: Response) => {
    for (const [name, value] of securityHeaders) expect(response.headers.get(name), name).toBe(value);
  };

  beforeAll(async () => {
    api = await TestApi.start({
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_APP_SLUG: 'mooring-raw-routes',
      GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      GITHUB_APP_WEBHOOK_SECRET: secret,
      WEBHOOK_BODY_LIMIT_BYTES: '4096',
    });
    // What every other api answer carries (helmet's headers), read from the cheapest route.
    const reference = await api.fetch('/health/live');
    securityHeaders = [
      'content-security-policy',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'origin-agent-cluster',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ].map((name) => [name, reference.headers.get(name) ?? '']);
    expect(securityHeaders.filter(([, value]) => value)).toHaveLength(securityHeaders.length);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers a delivery as JSON with the api’s security headers, the request id, and one log line', async () => {
    const requestId = `tool-request-${randomUUID()}`;
    const answered = await post('/v1/hooks/apps/github', appDelivery, { 'x-request-id': requestId });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ status: 'ignored', reason: expect.stringContaining('999001') });
    expect(answered.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answered.headers.get('x-request-id')).toBe(requestId);
    expectApiHeaders(answered);
    const lines = logLines().filter((line) => line['requestId'] === requestId && line['msg'] === 'request');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', method: 'POST', path: '/v1/hooks/apps/github', status: 200 }),
    ]);

    // No id given, or one that is not an id: a new one.
    const generated = await post('/v1/hooks/apps/github', appDelivery, { 'x-request-id': 'not an id\t' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses with the api’s coded errors and statuses, each with the same headers and a warning logged', async () => {
    const refusals: Array<[Response, number, string]> = [
      [await post('/v1/hooks/apps/github', appDelivery, {}, 'not-the-secret'), 401, 'WEBHOOK_REFUSED'],
      [await post('/v1/hooks/apps/github', appDelivery, {}, null), 401, 'WEBHOOK_REFUSED'],
      [await post('/v1/hooks/apps/github', 'not json', {}), 400, 'MALFORMED_JSON'],
      [await post('/v1/hooks/apps/gitlab', appDelivery), 400, 'VALIDATION_FAILED'],
      [await post(`/v1/hooks/h_${'x'.repeat(200)}`, appDelivery), 400, 'VALIDATION_FAILED'],
      [await post('/v1/hooks/h_unknownHook', appDelivery), 404, 'NOT_FOUND'],
      [await post('/v1/hooks/apps/github', appDelivery, { 'sec-fetch-site': 'cross-site' }), 403, 'CSRF_TOKEN_INVALID'],
    ];
    for (const [response, status, code] of refusals) {
      expect(response.status, code).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string; details: object } };
      expect(body.error).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expectApiHeaders(response);
      expect(logLines().filter((line) => line['requestId'] === requestId && line['msg'] === 'request')).toEqual([
        expect.objectContaining({ level: 'warn', status }),
      ]);
    }

    // Over the body cap: refused before anything reads it, coded like every other route's.
    const oversized = await post('/v1/hooks/apps/github', JSON.stringify({ padding: 'x'.repeat(5_000) }));
    expect(oversized.status).toBe(413);
    expect(((await oversized.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('limits deliveries per hook: 429 with Retry-After once the minute’s allowance is spent, other hooks unaffected', async () => {
    const limit = contract.hooks.deliver.rateLimit.perResource.requests;
    const limits = api.app.get(RouteLimits);
    // The minute's allowance of one hook spent (counted in Redis, as every replica counts it).
    await Promise.all(Array.from({ length: limit }, () => limits.admit(contract.hooks.deliver, { resource: 'h_busyHook' })));

    const limited = await post('/v1/hooks/h_busyHook', appDelivery);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'perResource', requests: limit },
    });
    expectApiHeaders(limited);
    expect((await post('/v1/hooks/h_quietHook', appDelivery)).status).toBe(404);
  });
});
