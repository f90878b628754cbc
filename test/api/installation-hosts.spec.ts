import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery } from '../support/admin-query.js';
import { HOSTILE_HOSTS, fakeZone } from '../support/hostile-hosts.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// The SSRF guard when a host is saved, through the API as production configures it: loopback is
// refused too (no test setting), DNS answers come from a fake zone.
describe('hosts refused when saved', () => {
  let api: TestApi;
  let acme: TestOrganization;
  const zone = fakeZone();
  const token = `ghp_${'x'.repeat(36)}`;

  beforeAll(async () => {
    api = await TestApi.start({}, { outbound: { allowLoopback: false, resolver: zone } });
    acme = await api.createOrganization('acme');
  });

  afterAll(async () => {
    await api.close();
  });

  it(`refuses ${HOSTILE_HOSTS.length} hostile host spellings with 422 HOST_NOT_ALLOWED and stores nothing`, async () => {
    expect(HOSTILE_HOSTS.length).toBeGreaterThan(40);
    const answers: Array<[string, number, string]> = [];
    for (const [description, host] of HOSTILE_HOSTS) {
      const response = await api.request('POST', '/v1/installations', {
        token: acme.token,
        body: { integrationId: 'github', name: description, settings: { token, host } },
      });
      answers.push([description, response.status, response.body.error?.code]);
      expect(response.body.error?.details?.field, description).toBe('settings.host');
    }
    expect(answers.filter(([, status, code]) => status !== 422 || code !== 'HOST_NOT_ALLOWED')).toEqual([]);
    expect(await adminQuery(api.db, 'SELECT id FROM installations')).toEqual([]);
  });

  it('refuses https://10.0.0.5 naming the range, and resolves names before saving them', async () => {
    const response = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'github', name: 'internal', settings: { token, host: 'https://10.0.0.5' } },
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toEqual({
      code: 'HOST_NOT_ALLOWED',
      message: 'The host https://10.0.0.5 is not allowed: it points to a private address, which is refused',
      details: { host: 'https://10.0.0.5', reason: 'forbidden_address', range: 'private', field: 'settings.host' },
    });
    expect(zone.lookups).toContain('internal.attacker.test');
    expect(zone.lookups).toContain('mixed.attacker.test');
  });

  it('says a host that does not resolve does not resolve (422 HOST_NOT_FOUND naming the field), rather than refusing it', async () => {
    const response = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'github', name: 'typo', settings: { token, host: 'https://githb.example.test' } },
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toEqual({
      code: 'HOST_NOT_FOUND',
      message: 'The host https://githb.example.test does not resolve (ENOTFOUND): check its name',
      details: { host: 'https://githb.example.test', cause: 'ENOTFOUND', field: 'settings.host' },
    });
  });

  it('lets an organization allow plain http, which changes nothing about internal addresses', async () => {
    const http = (host: string) =>
      api.request('POST', '/v1/installations', {
        token: acme.token,
        body: { integrationId: 'github', name: host, settings: { token, host } },
      });
    expect((await http('http://internal.attacker.test')).body.error.details.reason).toBe('scheme');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
    const allowed = await http('http://internal.attacker.test');
    expect(allowed.status).toBe(422);
    expect(allowed.body.error.details).toMatchObject({ reason: 'forbidden_address', range: 'private' });
    expect((await http('http://127.0.0.1')).body.error.details).toMatchObject({ reason: 'forbidden_address', range: 'loopback' });
  });
});
