import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import { pageItems, type CountedPage, type JsonObject } from '../integration-definition.js';
import { IntegrationRegistry } from '../registry.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { fakeIntegration } from './fake.integration.js';
import { FakeToolServer, type FakeFault } from './testing/fake-tool.server.js';

describe('fake integration', () => {
  let server: FakeToolServer;
  const connection = (token: string) => testConnection({ baseUrl: server.baseUrl }, token);
  const collect = async (kind: string, token = 'good-token-123') => {
    const pages: JsonObject[][] = [];
    for await (const page of fakeIntegration.kinds[kind]!.extract(connection(token), {})) {
      pages.push([...pageItems(page)]);
    }
    return pages;
  };

  beforeAll(async () => {
    server = await FakeToolServer.start({
      token: 'good-token-123',
      counts: { team: 2, service: 5, deployment: 25 },
      pageSize: 10,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('is offered only when the configuration enables it (demos and tests)', () => {
    expect(IntegrationRegistry.fromConfig({ fakeEnabled: true }).find('fake')).toBe(fakeIntegration);
    expect(IntegrationRegistry.fromConfig({ fakeEnabled: false }).find('fake')).toBeUndefined();
    expect(fakeIntegration.auth.customSettings?.fields.map((f) => [f.name, f.type, f.sensitive])).toEqual([
      ['baseUrl', 'url', false],
      ['token', 'string', true],
    ]);
  });

  it('verifies credentials with a bearer call, mapping 401 to CREDENTIALS_INVALID', async () => {
    await expect(fakeIntegration.verifyCredentials(connection('good-token-123'))).resolves.toEqual({
      id: 'fake-user',
      name: 'Fake user',
    });
    const refused = await fakeIntegration.verifyCredentials(connection('wrong-token')).catch((e: unknown) => e);
    expect(isDomainError(refused, 'CREDENTIALS_INVALID')).toBe(true);
  });

  it('pages through a kind with deterministic items and relations', async () => {
    const pages = await collect('deployment');
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages[2]![4]).toMatchObject({ id: 'dep-24', service_id: 'svc-4', environment: 'production' });
    expect(await collect('deployment')).toEqual(pages);
    expect(server.requests.filter((r) => r.startsWith('GET /api/v1/deployments')).slice(0, 3)).toEqual([
      'GET /api/v1/deployments?page=0',
      'GET /api/v1/deployments?page=1&per_page=10',
      'GET /api/v1/deployments?page=2&per_page=10',
    ]);
  });

  it('injects failures, empty kinds, removed and changed items', async () => {
    server.failKind('service', { afterPages: 0, status: 503 });
    const failed = await collect('service').catch((e: unknown) => e);
    expect(isDomainError(failed, 'UPSTREAM_FAILED')).toBe(true);
    server.failKind('service', null);

    server.remove('deployment', [0, 11]);
    server.change('deployment', [1]);
    const items = (await collect('deployment')).flat();
    expect(items).toHaveLength(23);
    expect(items.map((i) => i['id'])).not.toContain('dep-11');
    expect(items[0]).toMatchObject({ id: 'dep-1', revision: 1, version: '1.1.1' });
    server.restore('deployment');

    server.setCounts({ team: 0 });
    expect(await collect('team')).toEqual([[]]);
  });

  it('reports the listing’s total on every page, and answers pages wrongly when told to', async () => {
    const pages: unknown[] = [];
    for await (const page of fakeIntegration.kinds['service']!.extract(connection('good-token-123'), {})) pages.push(page);
    expect(pages.map((page) => (page as CountedPage).total)).toEqual([5]);

    const wrong = async (fault: FakeFault) => {
      server.injectFault('deployment', { ...fault, page: 1, times: 1 });
      const served = server.faultsServed;
      const answers: unknown[] = [];
      try {
        for await (const page of fakeIntegration.kinds['deployment']!.extract(connection('good-token-123'), {}))
          answers.push(page);
      } catch (error) {
        answers.push(error instanceof Error ? error.message : error);
      }
      expect(server.faultsServed).toBe(served + 1);
      return answers;
    };
    expect((await wrong({ type: 'no-items' }))[1]).toBe(
      `The fake tool's answer to GET /api/v1/deployments?page=1&per_page=10 is not a listing: it holds no list at "items"`,
    );
    expect((await wrong({ type: 'items-not-list' }))[1]).toMatch(/is not a listing/);
    expect(((await wrong({ type: 'null-entry' }))[1] as CountedPage).items).toContain(null);
    expect(await wrong({ type: 'short' })).toHaveLength(2);
    expect(await wrong({ type: 'empty' })).toEqual([expect.anything(), { items: [], total: 0 }]);
    expect((await wrong({ type: 'cut-body' }))[1]).toEqual(expect.any(String));
    expect((await wrong({ type: 'abort' }))[1]).toEqual(expect.any(String));
    expect((await wrong({ type: 'status', status: 500 }))[1]).toBe('The fake tool answered 500 for /api/v1/deployments');
    // A rate limit is waited out (Retry-After), then the listing goes on.
    expect(await wrong({ type: 'status', status: 429, retryAfterSeconds: 1 })).toHaveLength(3);
    expect(await wrong({ type: 'slow', ms: 20 })).toHaveLength(3);
    server.setReportTotals(false);
    expect(((await wrong({ type: 'slow', ms: 0 }))[0] as CountedPage).total).toBeUndefined();
    server.setReportTotals(true);
  });

  it('fails extraction on rejected credentials', async () => {
    const refused = await collect('team', 'wrong-token').catch((e: unknown) => e);
    expect(isDomainError(refused, 'CREDENTIALS_INVALID')).toBe(true);
  });
});
