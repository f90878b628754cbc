import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes, openApiPath } from '@mooring/contract';
import { TestApi, assertMatchesContract } from '../support/test-api.js';

/** Every route the running api serves: method and Express path, from Express's own router. */
function servedRoutes(api: TestApi): string[] {
  const router = (api.app.getHttpAdapter().getInstance() as { router: { stack: any[] } }).router;
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route.path}`));
}

describe('the API contract, /v1/openapi.json, /docs and the web app', () => {
  let api: TestApi;
  let webDir: string;

  beforeAll(async () => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-web-'));
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><div id="root"></div><script src="/assets/app.js"></script>',
    );
    fs.writeFileSync(path.join(webDir, 'assets/app.js'), 'console.log("console")');
    api = await TestApi.start({ WEB_APP_DIR: webDir });
  });

  afterAll(async () => {
    await api.close();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('serves exactly the routes of the contract, and the OpenAPI document lists every one', async () => {
    const served = servedRoutes(api).sort();
    const contract = allRoutes()
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(served).toEqual(contract);

    const response = await api.request('GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`))
      .sort();
    const servedAsOpenApi = served.map((route) => {
      const [method, routePath] = route.split(' ');
      return `${method} ${openApiPath(routePath!)}`;
    });
    expect(documented).toEqual(servedAsOpenApi.sort());
  });

  it('checks every success answer the api tests receive against the contract', () => {
    expect(() => assertMatchesContract('GET', '/v1/me', 200, { principal: { kind: 'robot' } })).toThrow(/outside the contract/);
    expect(() => assertMatchesContract('GET', '/v1/installations/0b6a9e3f-1111-4222-8333-444455556666/samples', 200, {})).toThrow(
      /samples/,
    );
    // Errors and routes outside the contract are not its business.
    expect(() => assertMatchesContract('GET', '/v1/me', 401, { error: {} })).not.toThrow();
  });

  it('describes each operation: access, parameters, request body, success and error responses', async () => {
    const { body: document } = await api.request('GET', '/v1/openapi.json');
    const resync = document.paths['/v1/installations/{id}/resync'].post;
    expect(resync['x-mooring-access']).toBe('moderator');
    expect(resync.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(Object.keys(resync.responses)).toEqual(expect.arrayContaining(['202', '401', '403', '404', '409']));
    const signIn = document.paths['/v1/auth/sign-in'].post;
    expect(signIn.security).toEqual([]);
    expect(signIn.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
    });
    const entities = document.paths['/v1/blueprints/{blueprint}/entities'].get;
    expect(entities.parameters.map((parameter: any) => `${parameter.in}:${parameter.name}`)).toEqual([
      'path:blueprint',
      'query:limit',
      'query:cursor',
      'query:search',
      'query:installation_id',
    ]);
    expect(document.components.schemas.Error.properties.error.properties.code.enum).toContain('RATE_LIMITED');
  });

  it('serves human-readable docs at /docs from local assets only, under a strict CSP', async () => {
    const page = await fetch(`${api.baseUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css', '/docs/docs.js']) {
      const response = await fetch(`${api.baseUrl}${asset}`);
      expect(response.status, asset).toBe(200);
      await response.body?.cancel();
    }
    const script = await (await fetch(`${api.baseUrl}/docs/docs.js`)).text();
    expect(script).toContain("url: '/v1/openapi.json'");
    expect(script).toContain('validatorUrl: null');
    expect((await fetch(`${api.baseUrl}/docs/assets/package.json`)).status).toBe(404);
  });

  it('serves the web app at / with a fallback for client routes, never for the API, docs or health', async () => {
    const home = await fetch(`${api.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(await home.text()).toContain('<div id="root">');
    const clientRoute = await fetch(`${api.baseUrl}/installations/3f0b6a9e-1111-4222-8333-444455556666/sync-status`);
    expect(clientRoute.status).toBe(200);
    expect(await clientRoute.text()).toContain('<div id="root">');
    const asset = await fetch(`${api.baseUrl}/assets/app.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    await asset.body?.cancel();

    const missingAsset = await api.request('GET', '/assets/missing.js');
    expect(missingAsset.status).toBe(404);
    expect(missingAsset.body.error.code).toBe('ROUTE_NOT_FOUND');
    const unknownApi = await api.request('GET', '/v1/nothing-here');
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect((await api.request('GET', '/health/live')).body).toEqual({ status: 'ok' });
    const postToClientRoute = await api.request('POST', '/installations', { body: {} });
    expect(postToClientRoute.status).toBe(404);
  });

  it('answers 304 to If-None-Match for an unchanged GET, so polling costs no body', async () => {
    const org = await api.createOrganization('etag');
    const first = await fetch(`${api.baseUrl}/v1/installations`, { headers: { authorization: `Bearer ${org.token}` } });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${api.baseUrl}/v1/installations`, {
      headers: { authorization: `Bearer ${org.token}`, 'if-none-match': etag! },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});
