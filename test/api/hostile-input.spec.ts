import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes, pathOf, type RouteDefinition } from '@mooring/contract';
import { TestApi, type CookieBrowser, type TestOrganization } from '../support/test-api.js';

// Input an attacker or a careless script sends, on every route of the contract: whatever it is,
// the answer is a coded 4xx naming what was wrong, never a 500.

const routeKey = (route: RouteDefinition) => `${route.method} ${route.path}`;

const mapping = {
  resources: [
    {
      kind: 'team',
      selector: { query: 'true' },
      port: { entity: { mappings: { identifier: 'id', title: 'name', blueprint: '"service"' } } },
    },
  ],
};
const entity = {
  identifier: 'e2',
  title: 'An entity',
  icon: 'Service',
  team: ['platform'],
  properties: { p: 'value', nested: { list: ['x'] } },
  relations: { owner: 'someone' },
};

/**
 * A valid-looking body per route that takes one: every string in it gets a hostile twin. A route
 * added to the contract without a sample here fails the test, so none is left out.
 */
const SAMPLE_BODIES: Readonly<Record<string, unknown>> = {
  'POST /v1/auth/access_token': { clientId: 'mc_unknown', clientSecret: 'mcs_wrong' },
  'POST /v1/auth/sign-in': { email: 'nobody@acme.test', password: 'a wrong password' },
  'POST /v1/invitations/lookup': { token: 'x'.repeat(40) },
  'POST /v1/invitations/accept': { token: 'x'.repeat(40), name: 'Ada', password: 'long enough password' },
  'PATCH /v1/organization': { name: 'Acme', allowHttpHosts: false },
  'PATCH /v1/organization/users/:id': { role: 'member' },
  'POST /v1/organization/invitations': { email: 'bea@acme.test', role: 'member' },
  'POST /v1/organization/api-clients': { name: 'ci', role: 'member' },
  'POST /v1/installations': {
    integrationId: 'fake',
    name: 'Tool',
    settings: { baseUrl: 'https://tool.example', token: 'a-token' },
    mapping,
    schedule: { every: '1h' },
  },
  'PATCH /v1/installations/:id': {
    name: 'Tool',
    settings: { baseUrl: 'https://tool.example' },
    schedule: { cron: '0 6 * * *', timezone: 'Europe/Berlin' },
  },
  'POST /v1/installations/:id/resync': { acceptFetchDrop: false },
  'POST /v1/oauth/connect': {
    integrationId: 'fake',
    returnUrl: 'https://app.example/back',
    name: 'Tool',
    settings: { baseUrl: 'https://tool.example' },
    oauthClient: { clientId: 'client', clientSecret: 'secret' },
  },
  'POST /v1/github-app/install': { returnUrl: 'https://app.example/back', name: 'GitHub App' },
  'POST /v1/blueprints': {
    identifier: 'svc2',
    title: 'Service',
    icon: 'Service',
    description: 'What runs',
    schema: { properties: { p: { type: 'string', title: 'P', pattern: '^a' } }, required: ['p'] },
    relations: { team: { target: 'service', title: 'Team' } },
  },
  'PUT /v1/blueprints/:blueprint': {
    identifier: 'service',
    title: 'Service',
    schema: { properties: { p: { type: 'string', enum: ['a', 'b'] } } },
  },
  'POST /v1/blueprints/:blueprint/entities': entity,
  'POST /v1/blueprints/:blueprint/entities/bulk': { entities: [entity] },
  'PATCH /v1/blueprints/:blueprint/entities/:identifier': { title: 'Renamed', properties: { p: 'value' } },
  'POST /v1/mappings/test': { mapping, samples: { team: [{ id: 't1', name: 'Team' }] }, integration: 'fake' },
};

/** Query parameters of routes that read their query themselves (no schema in the contract). */
const UNSCHEMED_QUERIES: Readonly<Record<string, readonly string[]>> = {
  'GET /v1/oauth/callback': ['state', 'code', 'error', 'iss'],
  'GET /v1/github-app/setup': ['state', 'installation_id', 'setup_action'],
};

const HOSTILE_TEXT = [
  ['a NUL character', 'x\u0000y'],
  ['a lone surrogate', 'x\ud800y'],
] as const;

/** Every path to a string in `value`, with a setter that returns a copy holding another string there. */
function stringLeaves(value: unknown, path = ''): Array<{ path: string; replace: (text: string) => unknown }> {
  if (typeof value === 'string') return [{ path, replace: (text) => text }];
  if (Array.isArray(value)) {
    return value.flatMap((element, index) =>
      stringLeaves(element, `${path}[${index}]`).map((leaf) => ({
        path: leaf.path,
        replace: (text: string) => value.map((other, at) => (at === index ? leaf.replace(text) : other)),
      })),
    );
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, element]) =>
      stringLeaves(element, path ? `${path}.${key}` : key).map((leaf) => ({
        path: leaf.path,
        replace: (text: string) => ({ ...value, [key]: leaf.replace(text) }),
      })),
    );
  }
  return [];
}

describe('hostile input on every route: a coded 4xx naming the field, never a 500', () => {
  const tokenSecret = randomBytes(32).toString('base64url');
  let api: TestApi;
  let acme: TestOrganization;
  let person: CookieBrowser;
  const statuses: Array<[string, number]> = [];

  /** A request from the signed-in admin's browser (cookie and CSRF token), with a raw body. */
  async function send(
    method: string,
    path: string,
    body?: string | Buffer,
    contentType = 'application/json',
  ): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {
      cookie: [...person.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      'x-csrf-token': person.csrfToken!,
    };
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${api.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    statuses.push([`${method} ${path}`, response.status]);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a redirect or an HTML page: only the status matters then
    }
    return { status: response.status, body: parsed };
  }

  /** The route's path with valid-looking parameters, or `replaced` standing in raw for one of them. */
  const samplePath = (route: RouteDefinition, replaced?: { param: string; segment: string }) => {
    const params: Record<string, string> = {
      id: randomUUID(),
      runId: randomUUID(),
      blueprint: 'service',
      identifier: 'e1',
      kind: 'repository',
      hookId: 'h_unknown',
    };
    if (replaced) params[replaced.param] = 'HOSTILE-SEGMENT';
    const path = pathOf(route, params);
    return replaced ? path.replace('HOSTILE-SEGMENT', replaced.segment) : path;
  };

  beforeAll(async () => {
    api = await TestApi.start({ AUTH_TOKEN_SECRET: tokenSecret });
    acme = await api.createOrganization('acme');
    const admin = await api.createUser(acme.orgId, 'ada@acme.test', 'admin');
    person = await api.signIn(admin.email, admin.password);
    const blueprint = await api.request('POST', '/v1/blueprints', {
      token: acme.token,
      body: { identifier: 'service', title: 'Service', schema: { properties: { p: { type: 'string' } } } },
    });
    expect(blueprint.status).toBe(201);
    expect(
      (await api.request('POST', '/v1/blueprints/service/entities', { token: acme.token, body: { identifier: 'e1' } })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await api.close();
  });

  it('has a sample body for every route of the contract that takes one', () => {
    const withBodies = allRoutes()
      .filter((route) => route.body)
      .map(routeKey);
    expect(withBodies.sort()).toEqual(Object.keys(SAMPLE_BODIES).sort());
  });

  it('refuses a NUL character or a lone surrogate in any string of any body, naming that field', async () => {
    const wrong: string[] = [];
    for (const route of allRoutes().filter((candidate) => candidate.body)) {
      for (const leaf of stringLeaves(SAMPLE_BODIES[routeKey(route)])) {
        for (const [what, text] of HOSTILE_TEXT) {
          // JSON.stringify writes a lone surrogate as its \ud800 escape, as a script would.
          const response = await send(route.method, samplePath(route), JSON.stringify(leaf.replace(text)));
          const fields: Array<{ field: string }> = response.body?.error?.details?.fields ?? [];
          if (
            response.status !== 400 ||
            response.body.error.code !== 'VALIDATION_FAILED' ||
            !fields.some((f) => f.field === leaf.path)
          ) {
            wrong.push(`${routeKey(route)} ${leaf.path} with ${what}: ${response.status} ${JSON.stringify(response.body)}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses __proto__ keys, deep nesting, bytes that are not UTF-8 and other charsets on every route with a body', async () => {
    const wrong: string[] = [];
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const route of allRoutes().filter((candidate) => candidate.body)) {
      const path = samplePath(route);
      const sample = JSON.stringify(SAMPLE_BODIES[routeKey(route)]);
      const cases: Array<[string, string | Buffer, string, number, string, string?]> = [
        [
          '__proto__',
          `{"__proto__":{"polluted":true},${sample.slice(1)}`,
          'application/json',
          400,
          'VALIDATION_FAILED',
          '__proto__',
        ],
        ['10,000 levels', deep, 'application/json', 400, 'VALIDATION_FAILED'],
        [
          'invalid UTF-8',
          Buffer.concat([Buffer.from(sample.slice(0, -1)), Buffer.from([0x2c, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])]),
          'application/json',
          400,
          'MALFORMED_JSON',
        ],
        ['ISO-8859-1', sample, 'application/json; charset=iso-8859-1', 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['UTF-16', Buffer.from(sample, 'utf16le'), 'application/json; charset=utf-16', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ];
      for (const [what, body, contentType, status, code, field] of cases) {
        const response = await send(route.method, path, body, contentType);
        const fields: Array<{ field: string }> = response.body?.error?.details?.fields ?? [];
        if (
          response.status !== status ||
          response.body?.error?.code !== code ||
          (field && !fields.some((f) => f.field === field))
        ) {
          wrong.push(`${routeKey(route)} ${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a NUL character in any query parameter, naming it, and hostile path segments with a 4xx', async () => {
    const wrong: string[] = [];
    for (const route of allRoutes()) {
      const queryKeys = [...Object.keys(route.query?.shape ?? {}), ...(UNSCHEMED_QUERIES[routeKey(route)] ?? [])];
      for (const key of queryKeys) {
        const body = route.body ? JSON.stringify(SAMPLE_BODIES[routeKey(route)]) : undefined;
        const response = await send(route.method, `${samplePath(route)}?${key}=x%00y`, body);
        const named = JSON.stringify(response.body).includes(`"field":"${key}"`);
        const ok = route.query ? response.status === 400 && named : response.status >= 400 && response.status < 500;
        if (!ok) wrong.push(`${routeKey(route)} ?${key}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      }
      const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
      for (const param of params) {
        // NUL, a lone surrogate as UTF-8 would spell it (not valid UTF-8), and a broken escape.
        for (const segment of ['x%00y', '%ED%A0%80', '%E0%A4%A']) {
          const path = samplePath(route, { param, segment });
          const response = await send(
            route.method,
            path,
            route.body ? JSON.stringify(SAMPLE_BODIES[routeKey(route)]) : undefined,
          );
          if (response.status < 400 || response.status >= 500)
            wrong.push(`${routeKey(route)} :${param}=${segment}: ${response.status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers each of the reported 500s with a coded 4xx naming the field', async () => {
    const cases: Array<[string, string, string, string | undefined, number, string, string?]> = [
      [
        'NUL in an entity property',
        'POST',
        '/v1/blueprints/service/entities',
        '{"identifier":"n1","properties":{"p":"a\\u0000b"}}',
        400,
        'VALIDATION_FAILED',
        'properties.p',
      ],
      [
        'NUL in an entity title',
        'POST',
        '/v1/blueprints/service/entities',
        '{"identifier":"n2","title":"a\\u0000b"}',
        400,
        'VALIDATION_FAILED',
        'title',
      ],
      [
        'NUL in a blueprint title',
        'POST',
        '/v1/blueprints',
        '{"identifier":"n3","title":"a\\u0000b"}',
        400,
        'VALIDATION_FAILED',
        'title',
      ],
      [
        'NUL in an API client name',
        'POST',
        '/v1/organization/api-clients',
        '{"name":"a\\u0000b","role":"member"}',
        400,
        'VALIDATION_FAILED',
        'name',
      ],
      ['NUL in the organization name', 'PATCH', '/v1/organization', '{"name":"a\\u0000b"}', 400, 'VALIDATION_FAILED', 'name'],
      [
        'NUL in an installation name',
        'POST',
        '/v1/installations',
        '{"integrationId":"fake","name":"a\\u0000b","settings":{}}',
        400,
        'VALIDATION_FAILED',
        'name',
      ],
      ['NUL in search', 'GET', '/v1/blueprints/service/entities?search=a%00b', undefined, 400, 'VALIDATION_FAILED', 'search'],
      ['NUL in the audit targetId', 'GET', '/v1/audit-log?targetId=a%00b', undefined, 400, 'VALIDATION_FAILED', 'targetId'],
      [
        'a lone surrogate in a property',
        'POST',
        '/v1/blueprints/service/entities',
        '{"identifier":"n4","properties":{"p":"a\\ud800b"}}',
        400,
        'VALIDATION_FAILED',
        'properties.p',
      ],
      [
        'JSON nested 10,000 levels',
        'POST',
        '/v1/blueprints/service/entities',
        `{"identifier":"n5","properties":{"p":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an audit cursor with no date',
        'GET',
        `/v1/audit-log?cursor=${Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')}`,
        undefined,
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
      [
        'an audit cursor with no id',
        'GET',
        `/v1/audit-log?cursor=${Buffer.from(JSON.stringify([new Date().toISOString(), 'x'])).toString('base64url')}`,
        undefined,
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
      [
        'an audit cursor with a NUL',
        'GET',
        `/v1/audit-log?cursor=${Buffer.from(JSON.stringify([`${new Date().toISOString()}\u0000`, randomUUID()])).toString('base64url')}`,
        undefined,
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
      [
        'an entity cursor with a NUL',
        'GET',
        `/v1/blueprints/service/entities?cursor=${Buffer.from('e\u0000').toString('base64url')}`,
        undefined,
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
      [
        'a run-events cursor beyond any sequence',
        'GET',
        `/v1/installations/${randomUUID()}/syncs/${randomUUID()}/events?cursor=${Buffer.from(JSON.stringify(['99999999999'])).toString('base64url')}`,
        undefined,
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
    ];
    const wrong: string[] = [];
    for (const [what, method, path, body, status, code, field] of cases) {
      const response = await send(method, path, body);
      const named = field === undefined || JSON.stringify(response.body).includes(`"field":"${field}"`);
      if (response.status !== status || response.body?.error?.code !== code || !named) {
        wrong.push(`${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      }
    }
    // Not among the reported ones, found on the way: PostgreSQL's index cannot hold a key this long.
    const long = await send('POST', '/v1/blueprints/service/entities', JSON.stringify({ identifier: '界'.repeat(900) }));
    if (long.status !== 400 || !JSON.stringify(long.body).includes('"field":"identifier"'))
      wrong.push(`a long identifier: ${long.status}`);
    const charset = await send(
      'POST',
      '/v1/blueprints',
      '{"identifier":"n6","title":"T"}',
      'application/json; charset=iso-8859-1',
    );
    if (charset.status !== 415 || charset.body.error.code !== 'UNSUPPORTED_MEDIA_TYPE') wrong.push(`charset: ${charset.status}`);
    expect(wrong).toEqual([]);
  });

  it('refuses signed tokens whose claims are malformed, that never expire, or that were issued in the future', async () => {
    const key = new TextEncoder().encode(tokenSecret);
    const clientId = (await api.request('GET', '/v1/me', { token: acme.token })).body.principal.id as string;
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, times: { iat?: number; exp?: number }, subject = clientId) => {
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('mooring')
        .setAudience('mooring-api')
        .setSubject(subject);
      if (times.iat !== undefined) jwt = jwt.setIssuedAt(times.iat);
      if (times.exp !== undefined) jwt = jwt.setExpirationTime(times.exp);
      return jwt.sign(key);
    };
    const valid = await sign({ org: acme.orgId, role: 'admin' }, { iat: now, exp: now + 600 });
    expect((await api.request('GET', '/v1/organization', { token: valid })).status).toBe(200);

    const refused = {
      'sub is not a UUID': await sign({ org: acme.orgId, role: 'admin' }, { iat: now, exp: now + 600 }, 'not-a-uuid'),
      'org is not a UUID': await sign({ org: 'acme', role: 'admin' }, { iat: now, exp: now + 600 }),
      'no exp': await sign({ org: acme.orgId, role: 'admin' }, { iat: now }),
      'no iat': await sign({ org: acme.orgId, role: 'admin' }, { exp: now + 600 }),
      'iat in the future': await sign({ org: acme.orgId, role: 'admin' }, { iat: now + 3_600, exp: now + 4_000 }),
      'a lifetime of a year': await sign({ org: acme.orgId, role: 'admin' }, { iat: now, exp: now + 365 * 86_400 }),
    };
    const answers = await Promise.all(
      Object.entries(refused).map(async ([what, token]) => {
        const response = await api.request('GET', '/v1/organization', { token });
        return [what, response.status, response.body.error?.code] as const;
      }),
    );
    expect(answers.filter(([, status, code]) => status !== 401 || code !== 'INVALID_TOKEN')).toEqual([]);
  });

  it('answered none of it with a 5xx, and logged no failed request', () => {
    expect(statuses.length).toBeGreaterThan(300);
    expect(statuses.filter(([, status]) => status >= 500)).toEqual([]);
    expect(api.logs.filter((line) => line.includes('request failed'))).toEqual([]);
  });
});
