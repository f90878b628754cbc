import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api as contract } from '@mooring/contract';
import { InstallationRepository } from '@mooring/persistence';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// The costly and sensitive routes are limited per organization and per client address, across
// api replicas (Redis): beyond the limit, 429 RATE_LIMITED with Retry-After, before any work.

// The limits as the contract declares them (checked below against the contract itself).
const TOKEN_PER_ADDRESS = 60;
const TOKEN_PER_ORG = 300;
const RESYNC_PER_ORG = 30;
const CONNECT_PER_ORG = 30;

/** The api trusts X-Forwarded-For from a proxy on loopback: how these tests speak from many addresses. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('request limits on the token exchange, resync and OAuth connect', () => {
  let api: TestApi;
  let acme: TestOrganization;
  let globex: TestOrganization;

  async function post(path: string, options: { token?: string; body?: unknown; address: string }) {
    const response = await fetch(`${api.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        ...from(options.address),
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify(options.body ?? {}),
    });
    return { status: response.status, body: (await response.json()) as any, retryAfter: response.headers.get('retry-after') };
  }

  /** An installation of the fake tool, stored directly: resyncs only ask for runs, no worker runs them here. */
  async function installation(org: TestOrganization): Promise<string> {
    const created = await api.app.get(InstallationRepository).create(org.orgId, {
      integrationId: 'fake',
      name: 'Fake tool',
      mapping: { resources: [] },
      settings: { baseUrl: 'https://tool.example' },
    });
    return created.id;
  }

  beforeAll(async () => {
    api = await TestApi.start();
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
  });

  afterAll(async () => {
    await api.close();
  });

  it('declares its limits in the contract and in /v1/openapi.json', async () => {
    expect(contract.auth.accessToken.rateLimit).toEqual({
      perAddress: { requests: TOKEN_PER_ADDRESS, windowSeconds: 60 },
      perOrg: { requests: TOKEN_PER_ORG, windowSeconds: 60 },
    });
    expect(contract.installations.resync.rateLimit.perOrg.requests).toBe(RESYNC_PER_ORG);
    expect(contract.oauth.connect.rateLimit.perOrg.requests).toBe(CONNECT_PER_ORG);
    const document = (await api.request('GET', '/v1/openapi.json')).body;
    expect(document.paths['/v1/installations/{id}/resync'].post['x-mooring-rate-limit']).toEqual(
      contract.installations.resync.rateLimit,
    );
    expect(document.paths['/v1/oauth/connect'].post['x-mooring-rate-limit']).toEqual(contract.oauth.connect.rateLimit);
  });

  it('answers a burst of wrong secrets from one address with 429 and Retry-After, before checking them', async () => {
    const limit = TOKEN_PER_ADDRESS;
    const answers = await Promise.all(
      Array.from({ length: limit + 20 }, () =>
        post('/v1/auth/access_token', { body: { clientId: acme.clientId, clientSecret: 'mcs_guess' }, address: '198.51.100.7' }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    const limited = answers.find((answer) => answer.status === 429)!;
    expect(limited.body.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'perAddress', requests: limit, windowSeconds: 60, retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // Even the right secret waits: the address is over its limit.
    const right = await post('/v1/auth/access_token', {
      body: { clientId: acme.clientId, clientSecret: acme.clientSecret },
      address: '198.51.100.7',
    });
    expect(right.status).toBe(429);
    // Another address is not affected.
    const elsewhere = await post('/v1/auth/access_token', {
      body: { clientId: acme.clientId, clientSecret: acme.clientSecret },
      address: '198.51.100.8',
    });
    expect(elsewhere.status).toBe(200);
  });

  it('limits token exchanges per organization, whichever addresses they come from', async () => {
    const limit = TOKEN_PER_ORG;
    // Spread over many addresses, each far below its own limit; globex exchanged one token when it was created.
    const answers = await Promise.all(
      Array.from({ length: limit - 1 }, (_, index) =>
        post('/v1/auth/access_token', {
          body: { clientId: globex.clientId, clientSecret: 'mcs_guess' },
          address: `203.0.113.${index % 200}`,
        }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 429)).toEqual([]);
    const over = await post('/v1/auth/access_token', {
      body: { clientId: globex.clientId, clientSecret: globex.clientSecret },
      address: '192.0.2.1',
    });
    expect(over.status).toBe(429);
    expect(over.body.error.details).toMatchObject({ limit: 'perOrg' });
    // Acme's clients still exchange.
    const acmeToken = await post('/v1/auth/access_token', {
      body: { clientId: acme.clientId, clientSecret: acme.clientSecret },
      address: '192.0.2.1',
    });
    expect(acmeToken.status).toBe(200);
  });

  it('limits resyncs per organization: 429 with Retry-After, other organizations unaffected', async () => {
    const limit = RESYNC_PER_ORG;
    const acmeInstallation = await installation(acme);
    const globexInstallation = await installation(globex);
    const statuses: number[] = [];
    for (let index = 0; index < limit; index++) {
      // One active run at a time: the first is accepted, the rest answer RUN_ACTIVE; each counts.
      const answer = await post(`/v1/installations/${acmeInstallation}/resync`, {
        token: acme.token,
        address: `192.0.2.${10 + (index % 40)}`,
      });
      statuses.push(answer.status);
    }
    expect(new Set(statuses)).toEqual(new Set([202, 409]));
    const over = await post(`/v1/installations/${acmeInstallation}/resync`, { token: acme.token, address: '192.0.2.99' });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'perOrg' } });
    expect(Number(over.retryAfter)).toBeGreaterThan(0);
    expect(
      (await post(`/v1/installations/${globexInstallation}/resync`, { token: globex.token, address: '192.0.2.99' })).status,
    ).toBe(202);
  });

  it('limits OAuth connects per organization and per address', async () => {
    const admin = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    const browser = await api.signIn(admin.email, admin.password, from('192.0.2.200'));
    const limit = CONNECT_PER_ORG;
    const statuses: number[] = [];
    for (let index = 0; index <= limit; index++) {
      // The fake tool has no OAuth: each is refused as a bad request, after counting.
      statuses.push(
        (await browser.request('POST', '/v1/oauth/connect', { body: { integrationId: 'fake', returnUrl: api.baseUrl } })).status,
      );
    }
    expect(statuses.slice(0, limit).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
