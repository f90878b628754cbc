import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import type { IntegrationConnection, JsonObject } from '../integration-definition.js';
import { findIntegration } from '../registry.js';
import { FakeToolServer } from './fake-tool.server.js';
import { fakeIntegration } from './fake.integration.js';

describe('fake integration', () => {
  let server: FakeToolServer;
  const connection = (token: string): IntegrationConnection => ({
    settings: { baseUrl: server.baseUrl },
    accessToken: () => Promise.resolve(token),
    fetch: (url, init) => fetch(url, init),
    signal: new AbortController().signal,
  });
  const collect = async (kind: string, token = 'good-token-123') => {
    const pages: JsonObject[][] = [];
    for await (const page of fakeIntegration.kinds[kind]!.extract(connection(token), {})) pages.push([...page]);
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

  it('is in the registry', () => {
    expect(findIntegration('fake')).toBe(fakeIntegration);
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

  it('fails extraction on rejected credentials', async () => {
    const refused = await collect('team', 'wrong-token').catch((e: unknown) => e);
    expect(isDomainError(refused, 'CREDENTIALS_INVALID')).toBe(true);
  });
});
