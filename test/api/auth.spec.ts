import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi, type TestOrganization } from '../support/test-api.js';

describe('API authentication and authorization', () => {
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

  it('exchanges client credentials for a short-lived bearer token', async () => {
    const response = await api.request('POST', '/v1/auth/access_token', {
      body: { clientId: acme.clientId, clientSecret: acme.clientSecret },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const [, payload] = (response.body.accessToken as string).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims).toMatchObject({ org: acme.orgId, role: 'admin', iss: 'mooring', aud: 'mooring-api' });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('answers an authenticated call for the caller’s own organization', async () => {
    const response = await api.request('GET', '/v1/organization', { token: acme.token });
    expect(response.status).toBe(200);
    expect(response.body.organization).toMatchObject({ id: acme.orgId, name: 'acme' });
    const other = await api.request('GET', '/v1/organization', { token: globex.token });
    expect(other.body.organization).toMatchObject({ id: globex.orgId, name: 'globex' });
  });

  it.each([
    ['no Authorization header', undefined, 'UNAUTHENTICATED'],
    ['a malformed header', 'Basic abc', 'UNAUTHENTICATED'],
    ['a garbage token', 'Bearer not.a.jwt', 'INVALID_TOKEN'],
  ])('refuses %s with 401 and a coded JSON error', async (_case, header, code) => {
    const response = await fetch(`${api.baseUrl}/v1/organization`, { headers: header ? { authorization: header } : {} });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
  });

  it('refuses a token signed with another key, or tampered with', async () => {
    const [header, payload] = acme.token.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.org = globex.orgId;
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${acme.token.split('.')[2]}`;
    const response = await api.request('GET', '/v1/organization', { token: tampered });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('INVALID_TOKEN');
  });

  it('refuses wrong client credentials without saying which part was wrong', async () => {
    const wrongSecret = await api.request('POST', '/v1/auth/access_token', {
      body: { clientId: acme.clientId, clientSecret: globex.clientSecret },
    });
    const unknownClient = await api.request('POST', '/v1/auth/access_token', {
      body: { clientId: 'mc_unknown', clientSecret: acme.clientSecret },
    });
    for (const response of [wrongSecret, unknownClient]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('INVALID_CLIENT_CREDENTIALS');
    }
    expect(wrongSecret.body.error.message).toBe(unknownClient.body.error.message);
  });

  it('refuses a member calling an admin route with 403, and lets it read', async () => {
    const created = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'dashboards', role: 'member' },
    });
    expect(created.status).toBe(201);
    expect(created.body.apiClient).toMatchObject({ name: 'dashboards', role: 'member', revokedAt: null });
    expect(created.body.clientSecret).toMatch(/^mcs_/);
    const memberToken = await api.token(created.body.apiClient.clientId, created.body.clientSecret);

    const read = await api.request('GET', '/v1/organization', { token: memberToken });
    expect(read.status).toBe(200);
    const rename = await api.request('PATCH', '/v1/organization', { token: memberToken, body: { name: 'x' } });
    expect(rename.status).toBe(403);
    expect(rename.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredRole: 'admin', role: 'member' } });
    const list = await api.request('GET', '/v1/organization/api-clients', { token: memberToken });
    expect(list.status).toBe(403);
  });

  it('never returns a client secret or its hash after creation', async () => {
    const list = await api.request('GET', '/v1/organization/api-clients', { token: acme.token });
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(acme.clientSecret);
    expect(text).not.toMatch(/secret/i);
  });

  it('stops accepting tokens of a revoked client, and keeps the last admin', async () => {
    const created = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'temporary', role: 'moderator' },
    });
    const token = await api.token(created.body.apiClient.clientId, created.body.clientSecret);
    expect((await api.request('GET', '/v1/organization', { token })).status).toBe(200);

    const revoked = await api.request('DELETE', `/v1/organization/api-clients/${created.body.apiClient.id}`, {
      token: acme.token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.apiClient.revokedAt).not.toBeNull();
    const after = await api.request('GET', '/v1/organization', { token });
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ code: 'INVALID_TOKEN', details: { reason: 'revoked' } });
    const exchange = await api.request('POST', '/v1/auth/access_token', {
      body: { clientId: created.body.apiClient.clientId, clientSecret: created.body.clientSecret },
    });
    expect(exchange.status).toBe(401);

    const list = await api.request('GET', '/v1/organization/api-clients', { token: acme.token });
    const admin = list.body.apiClients.find((c: { role: string }) => c.role === 'admin');
    const lastAdmin = await api.request('DELETE', `/v1/organization/api-clients/${admin.id}`, { token: acme.token });
    expect(lastAdmin.status).toBe(409);
    expect(lastAdmin.body.error.details).toEqual({ reason: 'last_admin' });
  });

  it('cannot reach another organization’s API clients by id', async () => {
    const list = await api.request('GET', '/v1/organization/api-clients', { token: globex.token });
    const globexAdmin = list.body.apiClients[0];
    const response = await api.request('DELETE', `/v1/organization/api-clients/${globexAdmin.id}`, { token: acme.token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('answers bad input with 4xx coded errors naming the field, never 500', async () => {
    const missing = await api.request('POST', '/v1/auth/access_token', { body: { clientId: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'clientSecret' }] } });

    const unknownKey = await api.request('PATCH', '/v1/organization', { token: acme.token, body: { name: 'a', plan: 'free' } });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.details.fields[0].field).toBe('(root)');
    expect(unknownKey.body.error.message).toContain('plan');

    const badJson = await api.request('POST', '/v1/auth/access_token', { rawBody: '{"clientId":' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('MALFORMED_JSON');

    const badRole = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'x', role: 'owner' },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.details.fields[0].field).toBe('role');

    const badId = await api.request('DELETE', '/v1/organization/api-clients/not-a-uuid', { token: acme.token });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('VALIDATION_FAILED');

    const noRoute = await api.request('GET', '/v1/nothing-here', { token: acme.token });
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('reports readiness and liveness without a token', async () => {
    const ready = await api.request('GET', '/health');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ok', checks: { database: 'up', redis: 'up' } } });
    expect((await api.request('GET', '/health/live')).status).toBe(200);
  });

  it('logs requests with their org and never a secret', () => {
    const lines = api.logs.join('');
    expect(lines).toContain(`"orgId":"${acme.orgId}"`);
    for (const secret of [acme.clientSecret, globex.clientSecret, acme.token]) expect(lines).not.toContain(secret);
  });
});
