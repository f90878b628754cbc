import 'reflect-metadata';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi, type TestOrganization } from '../support/test-api.js';

describe('audit log', () => {
  let api: TestApi;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    api = await TestApi.start();
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
  });

  afterAll(async () => {
    await api.close();
  });

  it('records who changed what, newest first, in the same organization only', async () => {
    const created = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'ci', role: 'member' },
    });
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { name: 'acme inc' } });
    await api.request('DELETE', `/v1/organization/api-clients/${created.body.apiClient.id}`, { token: acme.token });

    const log = await api.request('GET', '/v1/audit-log', { token: acme.token });
    expect(log.status).toBe(200);
    const actions = log.body.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'api_client.revoked',
      'organization.renamed',
      'api_client.created',
      'api_client.created',
      'organization.created',
    ]);
    const [revoked, renamed] = log.body.events;
    expect(revoked).toMatchObject({ target: { type: 'api_client', id: created.body.apiClient.id }, details: { name: 'ci' } });
    expect(renamed).toMatchObject({ details: { from: 'acme', to: 'acme inc' }, actor: { kind: 'api_client' } });
    expect(renamed.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(log.body)).not.toContain(created.body.clientSecret);

    const other = await api.request('GET', '/v1/audit-log', { token: globex.token });
    expect(other.body.events.map((e: { action: string }) => e.action)).toEqual(['api_client.created', 'organization.created']);
  });

  it('pages with an opaque cursor and filters by action', async () => {
    const first = await api.request('GET', '/v1/audit-log?limit=2', { token: acme.token });
    expect(first.body.events).toHaveLength(2);
    const second = await api.request('GET', `/v1/audit-log?limit=2&cursor=${first.body.next}`, { token: acme.token });
    const third = await api.request('GET', `/v1/audit-log?limit=2&cursor=${second.body.next}`, { token: acme.token });
    const ids = [...first.body.events, ...second.body.events, ...third.body.events].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.body.next).toBeNull();

    const filtered = await api.request('GET', '/v1/audit-log?action=api_client.created', { token: acme.token });
    expect(filtered.body.events).toHaveLength(2);
    const bad = await api.request('GET', '/v1/audit-log?cursor=garbage', { token: acme.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('cursor');
    const badAction = await api.request('GET', '/v1/audit-log?action=everything', { token: acme.token });
    expect(badAction.body.error.details.fields[0].field).toBe('action');
  });

  it('records allowing plain-http hosts, and every blueprint and entity change made through the API', async () => {
    const token = globex.token;
    const write = async (method: string, path: string, body?: unknown) => {
      const response = await api.request(method, path, { token, body });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    };
    await write('PATCH', '/v1/organization', { allowHttpHosts: true });
    await write('POST', '/v1/blueprints', {
      identifier: 'team',
      title: 'Team',
      schema: { properties: { size: { type: 'number' } } },
    });
    await write('POST', '/v1/blueprints', {
      identifier: 'service',
      title: 'Service',
      relations: { team: { target: 'team', many: false, required: false } },
    });
    await write('PUT', '/v1/blueprints/team', {
      identifier: 'team',
      title: 'Squad',
      schema: { properties: { size: { type: 'number' } } },
    });
    await write('POST', '/v1/blueprints/team/entities', { identifier: 'core', properties: { size: 3 } });
    await write('POST', '/v1/blueprints/team/entities?upsert=true', { identifier: 'core', properties: { size: 4 } });
    await write('PATCH', '/v1/blueprints/team/entities/core', { title: 'Core' });
    await write('POST', '/v1/blueprints/service/entities/bulk', {
      entities: [
        { identifier: 'api', relations: { team: 'core' } },
        { identifier: 'web', relations: { team: 'core' } },
      ],
    });
    await write('DELETE', '/v1/blueprints/team/entities/core?delete_dependents=true');
    await write('DELETE', '/v1/blueprints/service');

    const log = await api.request('GET', '/v1/audit-log?limit=200', { token });
    const trail = log.body.events
      .map((event: { action: string; target: { type: string; id: string }; details: Record<string, unknown> }) => [
        event.action,
        event.target.id,
        event.details,
      ])
      .reverse()
      .slice(2); // organization.created and its first client
    // Entries written by one statement (a bulk write, a delete with dependents) share their time.
    const byTarget = (entries: Array<[string, string, unknown]>) => [...entries].sort((a, b) => a[1].localeCompare(b[1]));
    expect([...trail.slice(0, 7), ...byTarget(trail.slice(7, 9)), ...byTarget(trail.slice(9, 12)), ...trail.slice(12)]).toEqual([
      ['organization.http_hosts_changed', globex.orgId, { allowHttpHosts: true }],
      ['blueprint.created', 'team', { title: 'Team' }],
      ['blueprint.created', 'service', { title: 'Service' }],
      ['blueprint.updated', 'team', { title: 'Squad', version: 2 }],
      ['entity.created', 'team/core', { blueprint: 'team', identifier: 'core' }],
      ['entity.updated', 'team/core', { blueprint: 'team', identifier: 'core' }],
      ['entity.updated', 'team/core', { blueprint: 'team', identifier: 'core' }],
      ['entity.created', 'service/api', { blueprint: 'service', identifier: 'api' }],
      ['entity.created', 'service/web', { blueprint: 'service', identifier: 'web' }],
      ['entity.deleted', 'service/api', { blueprint: 'service', identifier: 'api' }],
      ['entity.deleted', 'service/web', { blueprint: 'service', identifier: 'web' }],
      ['entity.deleted', 'team/core', { blueprint: 'team', identifier: 'core' }],
      ['blueprint.deleted', 'service', { deletedEntities: 0 }],
    ]);
    expect(log.body.events[0].actor).toMatchObject({ kind: 'api_client', name: 'admin' });
  });

  it('is readable by admins only, and cannot be rewritten by the app role', async () => {
    const member = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'reader', role: 'member' },
    });
    const token = await api.token(member.body.apiClient.clientId, member.body.clientSecret);
    expect((await api.request('GET', '/v1/audit-log', { token })).status).toBe(403);

    const client = new pg.Client({ connectionString: api.db.appUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('mooring.org_id', $1, true)", [acme.orgId]);
      await expect(client.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
