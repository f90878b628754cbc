import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeToolServer, fakeIntegration } from '@mooring/integrations/testing';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// Every change to an installation leaves an audit entry written in the same transaction, naming
// the API client and the request, and never a secret.
describe('audit entries of installations', () => {
  const token = 'fake-tool-token-0123456789';
  let tool: FakeToolServer;
  let api: TestApi;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let id: string;

  const trail = async (org = acme) =>
    (await api.request('GET', `/v1/audit-log?targetType=installation&targetId=${id}`, { token: org.token })).body
      .events as Array<{
      action: string;
      actor: { kind: string; id: string };
      details: Record<string, unknown>;
      requestId: string | null;
    }>;

  beforeAll(async () => {
    tool = await FakeToolServer.start({ token });
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' });
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
  });

  afterAll(async () => {
    await api.close();
    await tool.close();
  });

  it('records a custom-settings install with the client and request that made it', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'fake', name: 'fake tool', settings: { baseUrl: tool.baseUrl, token } },
    });
    expect(created.status).toBe(201);
    id = created.body.installation.id;
    const [entry] = await trail();
    expect(entry).toMatchObject({
      action: 'installation.created',
      actor: { kind: 'api_client', id: created.body.installation.createdBy },
      details: { name: 'fake tool', integrationId: 'fake', authMethod: 'custom_settings' },
      requestId: expect.any(String),
    });
  });

  it('records renames and switches with what changed, and a mapping change with its resources', async () => {
    await api.request('PATCH', `/v1/installations/${id}`, { token: acme.token, body: { name: 'renamed', enabled: false } });
    const mapping = structuredClone(fakeIntegration.defaultMapping) as { resources: unknown[] };
    mapping.resources = mapping.resources.slice(0, 2);
    await api.request('PATCH', `/v1/installations/${id}`, { token: acme.token, body: { mapping } });
    // The same values again change nothing, so they record nothing.
    await api.request('PATCH', `/v1/installations/${id}`, { token: acme.token, body: { name: 'renamed', mapping } });

    const [changedMapping, updated] = await trail();
    expect(updated).toMatchObject({ action: 'installation.updated' });
    expect(updated!.details).toEqual({
      name: 'fake tool',
      changes: { name: { from: 'fake tool', to: 'renamed' }, enabled: { from: true, to: false } },
    });
    expect(changedMapping).toMatchObject({
      action: 'installation.mapping_changed',
      details: { name: 'renamed', resources: ['team', 'service'], previousResources: ['team', 'service', 'deployment'] },
    });
    expect((await trail()).map((entry) => entry.action)).toEqual([
      'installation.mapping_changed',
      'installation.updated',
      'installation.created',
    ]);
  });

  it('records a credential rotation without the token, and a deletion with what it deleted', async () => {
    const rotated = await api.request('PATCH', `/v1/installations/${id}`, {
      token: acme.token,
      body: { settings: { token } },
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const deleted = await api.request('DELETE', `/v1/installations/${id}?deleteEntities=true`, { token: acme.token });
    expect(deleted.status).toBe(200);

    const entries = await trail();
    expect(entries.map((entry) => entry.action)).toEqual([
      'installation.deleted',
      'installation.credentials_rotated',
      'installation.mapping_changed',
      'installation.updated',
      'installation.created',
    ]);
    expect(entries[0]!.details).toEqual({ name: 'renamed', integrationId: 'fake', entitiesDeleted: 0 });
    expect(entries[1]!.details).toMatchObject({ name: 'renamed', credentialKind: 'settings' });
    expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(entries.length);
    const everything = JSON.stringify(await api.request('GET', '/v1/audit-log?limit=200', { token: acme.token }));
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(-4) + '"');
  });

  it('shows the entries to their organization only', async () => {
    expect(await trail(globex)).toEqual([]);
  });
});
