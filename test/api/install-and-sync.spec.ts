import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { FakeToolServer, fakeIntegration } from '@mooring/integrations/testing';
import { SyncEngine } from '@mooring/sync';
import { endedRecord } from '../support/run-outcome.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// Installing through the API with the production wiring: the catalog provisions the default
// blueprints, libs/sync validates mappings, and a sync run reaches the tool with the stored
// (encrypted) credentials through the SSRF-guarded connection.
describe('install, sync and uninstall with the real wiring', () => {
  const token = 'fake-tool-token-0123456789';
  let tool: FakeToolServer;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;

  beforeAll(async () => {
    tool = await FakeToolServer.start({ token });
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' });
    acme = await api.createOrganization('acme');
    // The fake tool speaks plain http on loopback: the org has to allow http hosts explicitly.
    expect((await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await api.close();
    await tool.close();
  });

  it('creates the integration’s missing default blueprints and stores its default mapping', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'fake', name: 'fake tool', settings: { baseUrl: tool.baseUrl, token } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    expect(created.body.installation.mapping).toEqual(fakeIntegration.defaultMapping);
    expect(JSON.stringify(created.body)).not.toContain(token);

    const blueprints = await api.request('GET', '/v1/blueprints', { token: acme.token });
    const identifiers = blueprints.body.blueprints.map((b: { identifier: string }) => b.identifier).sort();
    expect(identifiers).toEqual(fakeIntegration.defaultBlueprints.map((b) => b.identifier).sort());
    const withRelations = fakeIntegration.defaultBlueprints.find((b) => Object.keys(b.relations ?? {}).length);
    const stored = blueprints.body.blueprints.find((b: { identifier: string }) => b.identifier === withRelations!.identifier);
    expect(Object.keys(stored.relations)).toEqual(Object.keys(withRelations!.relations!));
  });

  it('leaves blueprints the organization already shaped as they are on a second install', async () => {
    const [first] = fakeIntegration.defaultBlueprints;
    const before = await api.request('GET', `/v1/blueprints/${first!.identifier}`, { token: acme.token });
    const second = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'fake', name: 'fake tool 2', settings: { baseUrl: tool.baseUrl, token } },
    });
    expect(second.status).toBe(201);
    const after = await api.request('GET', `/v1/blueprints/${first!.identifier}`, { token: acme.token });
    expect(after.body.blueprint.version).toBe(before.body.blueprint.version);
    expect((await api.request('DELETE', `/v1/installations/${second.body.installation.id}`, { token: acme.token })).status).toBe(
      200,
    );
  });

  it('refuses a mapping with a bad expression, naming its path, and keeps the old one', async () => {
    const mapping = structuredClone(fakeIntegration.defaultMapping) as {
      resources: Array<{ port: { entity: { mappings: { identifier: string } } } }>;
    };
    mapping.resources[1]!.port.entity.mappings.identifier = 'id +';
    const refused = await api.request('PATCH', `/v1/installations/${installationId}`, { token: acme.token, body: { mapping } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.message).toContain('resources[1].port.entity.mappings.identifier');
    const current = await api.request('GET', `/v1/installations/${installationId}`, { token: acme.token });
    expect(current.body.installation.mapping).toEqual(fakeIntegration.defaultMapping);
  });

  it('syncs the tool into the catalog through the production connection, then uninstalls with its entities', async () => {
    const engine = api.app.get(SyncEngine);
    const connections = api.app.get(IntegrationConnections);
    // No worker runs in this test: the install's first run waits, and a resync names it.
    const active = await api.request('POST', `/v1/installations/${installationId}/resync`, { token: acme.token });
    expect(active.status).toBe(409);
    expect(active.body.error.code).toBe('RUN_ACTIVE');
    const runId = active.body.error.details.runId as string;
    const finished = endedRecord(
      await engine.run({ orgId: acme.orgId, installationId, runId }, (installation, signal) =>
        connections.forRecord(installation, signal),
      ),
    );
    expect(finished.status).toBe('completed');

    const services = await api.request('GET', `/v1/blueprints/fakeService/entities?installation_id=${installationId}`, {
      token: acme.token,
    });
    expect(services.body.entities.length).toBeGreaterThan(0);

    const removed = await api.request('DELETE', `/v1/installations/${installationId}?deleteEntities=true`, { token: acme.token });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    for (const blueprint of fakeIntegration.defaultBlueprints) {
      const left = await api.request('GET', `/v1/blueprints/${blueprint.identifier}/entities`, { token: acme.token });
      expect(left.body.entities.filter((e: { installationId: string | null }) => e.installationId === installationId)).toEqual(
        [],
      );
    }
    expect(api.logs.join('')).not.toContain(token);
  });
});
