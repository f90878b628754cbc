import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { FakeGithub } from '@mooring/integrations/testing';
import { ScheduleRegistry } from '@mooring/queue';
import { adminQuery } from '../support/admin-query.js';
import { RecordingHooks } from '../support/recording-hooks.js';
import { findSecretLeaks } from '../support/secret-leaks.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

const githubIntegration = IntegrationRegistry.fromConfig({ fakeEnabled: false }).get('github');
const classicToken = () => `ghp_${randomBytes(18).toString('hex')}`;

// Custom settings end to end: the api in-process, GitHub faked on loopback (as a GitHub Enterprise
// Server host), credentials encrypted with the local key provider in a real PostgreSQL.
describe('installations with custom settings (GitHub token and host)', () => {
  let api: TestApi;
  let github: FakeGithub;
  let hooks!: RecordingHooks;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let memberToken: string;
  let installationId: string;
  const tokens = {
    good: classicToken(),
    rotated: classicToken(),
    wrong: classicToken(),
    noOrgScope: classicToken(),
    impliedScope: classicToken(),
    fineGrained: `github_pat_${randomBytes(30).toString('hex')}`,
  };

  /** When the installation's schedule fires next: null when it has none (paused or removed). */
  const nextRunAt = (id: string) => api.app.get(ScheduleRegistry).nextRunAt(id);
  const create = (org: TestOrganization, body: Record<string, unknown>) =>
    api.request('POST', '/v1/installations', { token: org.token, body });
  const githubSettings = (token: string, extra: Record<string, string> = {}) => ({
    token,
    host: github.host,
    organization: 'acme-corp',
    ...extra,
  });
  const storedCounts = async () =>
    (
      await adminQuery<{ installations: number; credentials: number }>(
        api.db,
        'SELECT (SELECT count(*)::int FROM installations) AS installations, (SELECT count(*)::int FROM installation_credentials) AS credentials',
      )
    )[0]!;

  beforeAll(async () => {
    github = await FakeGithub.start();
    github.addToken(tokens.good, {
      login: 'octo',
      scopes: 'repo, read:org, workflow',
      organizations: ['acme-corp', 'acme-labs'],
    });
    github.addToken(tokens.rotated, { login: 'octo', scopes: 'repo, read:org', organizations: ['acme-corp', 'acme-labs'] });
    github.addToken(tokens.noOrgScope, { login: 'octo', scopes: 'repo, gist', organizations: ['acme-corp'] });
    github.addToken(tokens.impliedScope, { login: 'octo', scopes: 'repo, admin:org', organizations: ['acme-corp'] });
    github.addToken(tokens.fineGrained, { login: 'octo', scopes: null, organizations: ['acme-corp'] });
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' }, ({ redis }) => {
      hooks = new RecordingHooks(redis);
      return { ports: hooks.ports() };
    });
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
    // The fake GitHub speaks plain http on loopback; acme allows http hosts, globex does not.
    expect(
      (await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } })).body,
    ).toMatchObject({
      organization: { allowHttpHosts: true },
    });
    const member = await api.request('POST', '/v1/organization/api-clients', {
      token: acme.token,
      body: { name: 'web', role: 'member' },
    });
    memberToken = await api.token(member.body.apiClient.clientId, member.body.clientSecret);
  });

  afterAll(async () => {
    await hooks.close();
    await api.close();
    await github.close();
  });

  it('lists the integrations with their auth methods and settings form', async () => {
    const response = await api.request('GET', '/v1/integrations', { token: memberToken });
    expect(response.status).toBe(200);
    const githubIntegration = response.body.integrations.find((integration: { id: string }) => integration.id === 'github');
    expect(githubIntegration).toMatchObject({
      title: 'GitHub',
      authMethods: ['oauth2', 'custom_settings'],
      oauth2: { scopes: ['repo', 'read:org'], pkce: true, mooringClient: false },
      customSettings: {
        schema: {
          type: 'object',
          additionalProperties: false,
          // A token, or a GitHub App's id, private key and installation id: the server says which is missing.
          required: [],
          properties: {
            token: { type: 'string', writeOnly: true },
            host: { format: 'uri' },
            organization: { type: 'string' },
            appId: { type: 'string' },
            privateKey: { type: 'string', writeOnly: true },
            installationId: { type: 'string' },
          },
        },
      },
    });
    expect(githubIntegration.oauth2.settings.properties).not.toHaveProperty('token');
    expect((await api.request('GET', '/v1/integrations/github', { token: memberToken })).body.integration.id).toBe('github');
    expect((await api.request('GET', '/v1/integrations/nope', { token: memberToken })).status).toBe(404);
  });

  it('creates an installation after verifying the token live, and never shows the token again', async () => {
    const response = await create(acme, {
      integrationId: 'github',
      name: 'GitHub Enterprise',
      settings: githubSettings(tokens.good),
    });
    expect(response.status).toBe(201);
    const installation = response.body.installation;
    installationId = installation.id;
    expect(installation).toMatchObject({
      integrationId: 'github',
      name: 'GitHub Enterprise',
      authMethod: 'custom_settings',
      enabled: true,
      state: 'active',
      settings: { host: github.host, organization: 'acme-corp' },
      secrets: { token: { set: true, last4: tokens.good.slice(-4) } },
      mapping: githubIntegration.defaultMapping,
    });
    expect(JSON.stringify(response.body)).not.toContain(tokens.good);

    const calls = github.requests.map((request) => `${request.method} ${request.url} ${request.headers.authorization}`);
    expect(calls).toEqual([`GET /api/v3/user Bearer ${tokens.good}`, `GET /api/v3/orgs/acme-corp Bearer ${tokens.good}`]);
    expect(github.requests[0]!.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    });

    expect(hooks.blueprintCalls).toEqual([
      { orgId: acme.orgId, identifiers: githubIntegration.defaultBlueprints.map((b) => b.identifier) },
    ]);
    expect(hooks.resyncs).toEqual([{ orgId: acme.orgId, installationId, reason: 'installed' }]);
    const [job] = await hooks.queue.getJobs(['waiting']);
    expect(job!.data).toEqual({ orgId: acme.orgId, installationId, reason: 'installed' });

    const [stored] = await adminQuery<{ kind: string; key_id: string; format_version: number; hints: unknown }>(
      api.db,
      'SELECT kind, key_id, format_version, hints FROM installation_credentials WHERE installation_id = $1',
      [installationId],
    );
    expect(stored).toMatchObject({ kind: 'settings', key_id: expect.stringMatching(/^local:[0-9a-f]{16}$/), format_version: 1 });
    expect(stored!.hints).toEqual({ token: tokens.good.slice(-4) });

    for (const path of ['/v1/installations', `/v1/installations/${installationId}`]) {
      const read = await api.request('GET', path, { token: memberToken });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(tokens.good);
    }
  });

  it('refuses a wrong token with 422 CREDENTIALS_INVALID and stores nothing', async () => {
    const before = await storedCounts();
    const resyncs = hooks.resyncs.length;
    const response = await create(acme, { integrationId: 'github', name: 'Wrong token', settings: githubSettings(tokens.wrong) });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'CREDENTIALS_INVALID', details: { field: 'settings.token' } });
    expect(await storedCounts()).toEqual(before);
    expect(hooks.resyncs).toHaveLength(resyncs);
    expect(hooks.blueprintCalls).toHaveLength(1);
  });

  it('names a missing scope, and accepts implied scopes and fine-grained tokens', async () => {
    const missing = await create(acme, {
      integrationId: 'github',
      name: 'No org scope',
      settings: githubSettings(tokens.noOrgScope),
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({
      code: 'CREDENTIALS_SCOPE_MISSING',
      message: 'The GitHub token lacks the scope read:org',
      details: { missingScopes: ['read:org'], grantedScopes: ['repo', 'gist'] },
    });
    const implied = await create(acme, {
      integrationId: 'github',
      name: 'Admin org scope',
      settings: githubSettings(tokens.impliedScope),
    });
    expect(implied.status).toBe(201);
    const fineGrained = await create(acme, {
      integrationId: 'github',
      name: 'Fine-grained',
      settings: githubSettings(tokens.fineGrained),
    });
    expect(fineGrained.status).toBe(201);
    expect(fineGrained.body.installation.secrets.token).toEqual({ set: true, last4: tokens.fineGrained.slice(-4) });
  });

  it('refuses an organization the token cannot see', async () => {
    const response = await create(acme, {
      integrationId: 'github',
      name: 'Other org',
      settings: githubSettings(tokens.good, { organization: 'initech' }),
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({
      code: 'CREDENTIALS_INVALID',
      details: { field: 'settings.organization', status: 404 },
    });
  });

  it('refuses https://10.0.0.5 with 422 HOST_NOT_ALLOWED before any request, and plain http unless allowed', async () => {
    const requests = github.requests.length;
    const internal = await create(acme, {
      integrationId: 'github',
      name: 'Internal',
      settings: githubSettings(tokens.good, { host: 'https://10.0.0.5' }),
    });
    expect(internal.status).toBe(422);
    expect(internal.body.error).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      details: { field: 'settings.host', reason: 'forbidden_address', range: 'private' },
    });
    const http = await create(globex, { integrationId: 'github', name: 'Plain http', settings: githubSettings(tokens.good) });
    expect(http.status).toBe(422);
    expect(http.body.error).toMatchObject({ code: 'HOST_NOT_ALLOWED', details: { reason: 'scheme' } });
    expect(github.requests).toHaveLength(requests);
  });

  it('answers bad input with 4xx coded errors naming the field', async () => {
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ integrationId: 'github', name: 'x', settings: { host: github.host } }, 400, 'VALIDATION_FAILED', 'settings.token'],
      [
        { integrationId: 'github', name: 'x', settings: { token: tokens.good, colour: 'red' } },
        400,
        'VALIDATION_FAILED',
        'settings',
      ],
      [{ integrationId: 'gitlub', name: 'x', settings: {} }, 400, 'VALIDATION_FAILED', 'integrationId'],
      [{ integrationId: 'github', name: '', settings: {} }, 400, 'VALIDATION_FAILED', 'name'],
      [
        { integrationId: 'github', name: 'x', settings: githubSettings(tokens.good), mapping: { resources: 'all' } },
        400,
        'VALIDATION_FAILED',
        'mapping.resources',
      ],
      [{ integrationId: 'github', name: 'GitHub Enterprise', settings: githubSettings(tokens.good) }, 409, 'CONFLICT', 'name'],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await create(acme, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(JSON.stringify(response.body.error.details)).toContain(`"${field}`);
      expect(JSON.stringify(response.body)).not.toContain(tokens.good);
    }
    const asMember = await api.request('POST', '/v1/installations', {
      token: memberToken,
      body: { integrationId: 'github', name: 'x', settings: githubSettings(tokens.good) },
    });
    expect(asMember.status).toBe(403);
  });

  it('rotates the token only after verifying the new one', async () => {
    const path = `/v1/installations/${installationId}`;
    const wrong = await api.request('PATCH', path, { token: acme.token, body: { settings: { token: tokens.wrong } } });
    expect(wrong.status).toBe(422);
    expect((await api.request('GET', path, { token: acme.token })).body.installation.secrets.token.last4).toBe(
      tokens.good.slice(-4),
    );

    const rotated = await api.request('PATCH', path, { token: acme.token, body: { settings: { token: tokens.rotated } } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.installation.secrets.token.last4).toBe(tokens.rotated.slice(-4));
    expect(hooks.resyncs.at(-1)).toEqual({ orgId: acme.orgId, installationId, reason: 'credentials_rotated' });
    const connection = await api.app.get(IntegrationConnections).forInstallation(acme.orgId, installationId);
    expect(await connection.accessToken()).toBe(tokens.rotated);
  });

  it('re-verifies a settings change with the stored token, and needs the token again for a new host', async () => {
    const path = `/v1/installations/${installationId}`;
    const newHost = await api.request('PATCH', path, {
      token: acme.token,
      body: { settings: { host: 'https://ghe.example.com' } },
    });
    expect(newHost.status).toBe(400);
    expect(newHost.body.error.details.fields).toEqual([
      { field: 'settings.token', message: 'is required when the host changes' },
    ]);

    const invisible = await api.request('PATCH', path, { token: acme.token, body: { settings: { organization: 'initech' } } });
    expect(invisible.status).toBe(422);
    const labs = await api.request('PATCH', path, { token: acme.token, body: { settings: { organization: 'acme-labs' } } });
    expect(labs.status).toBe(200);
    expect(github.requests.at(-1)).toMatchObject({
      url: '/api/v3/orgs/acme-labs',
      headers: { authorization: `Bearer ${tokens.rotated}` },
    });
    const cleared = await api.request('PATCH', path, { token: acme.token, body: { settings: { organization: '' } } });
    expect(cleared.body.installation.settings).toEqual({ host: github.host });
  });

  it('renames, disables and re-enables (pausing and resuming the schedule), and changes the mapping', async () => {
    const path = `/v1/installations/${installationId}`;
    const renamed = await api.request('PATCH', path, { token: acme.token, body: { name: 'GHE', enabled: false } });
    expect(renamed.body.installation).toMatchObject({ name: 'GHE', enabled: false, state: 'active' });
    expect(await nextRunAt(installationId)).toBeNull();
    await api.request('PATCH', path, { token: acme.token, body: { enabled: true } });
    expect(await nextRunAt(installationId)).not.toBeNull();

    const mapping = { resources: [{ kind: 'repository', port: { entity: { mappings: { identifier: '.name' } } } }] };
    const remapped = await api.request('PATCH', path, { token: acme.token, body: { mapping } });
    expect(remapped.body.installation.mapping).toEqual(mapping);
    expect(hooks.resyncs.at(-1)).toEqual({ orgId: acme.orgId, installationId, reason: 'mapping_changed' });
    const invalid = await api.request('PATCH', path, { token: acme.token, body: { mapping: { resources: {} } } });
    expect(invalid.status).toBe(400);
    expect((await api.request('PATCH', path, { token: acme.token, body: {} })).status).toBe(400);
  });

  it('keeps each organization’s installations to itself', async () => {
    const path = `/v1/installations/${installationId}`;
    expect((await api.request('GET', path, { token: globex.token })).status).toBe(404);
    expect((await api.request('PATCH', path, { token: globex.token, body: { name: 'mine' } })).status).toBe(404);
    expect((await api.request('DELETE', path, { token: globex.token })).status).toBe(404);
    expect((await api.request('GET', '/v1/installations', { token: globex.token })).body.installations).toEqual([]);
  });

  it('refuses a credential copied into another organization’s installation, and disables that installation', async () => {
    await api.request('PATCH', '/v1/organization', { token: globex.token, body: { allowHttpHosts: true } });
    const created = await create(globex, {
      integrationId: 'github',
      name: 'Globex GitHub',
      settings: githubSettings(tokens.impliedScope),
    });
    expect(created.status).toBe(201);
    const victimId = created.body.installation.id;
    expect(await nextRunAt(victimId)).not.toBeNull();
    // Someone with database access moves acme's encrypted token under globex's installation.
    await adminQuery(
      api.db,
      `UPDATE installation_credentials g SET ciphertext = a.ciphertext, encrypted_data_key = a.encrypted_data_key, key_id = a.key_id
         FROM installation_credentials a WHERE g.installation_id = $1 AND a.installation_id = $2`,
      [victimId, installationId],
    );
    const connections = api.app.get(IntegrationConnections);
    const stolen = (await connections.forInstallation(globex.orgId, victimId)).accessToken();
    await expect(stolen).rejects.toMatchObject({ code: 'CREDENTIALS_UNREADABLE', details: { reason: 'integrity' } });

    const path = `/v1/installations/${victimId}`;
    const after = (await api.request('GET', path, { token: globex.token })).body.installation;
    expect(after).toMatchObject({ state: 'disabled', stateReason: expect.stringContaining('integrity') });
    expect(await nextRunAt(victimId)).toBeNull();
    await expect((await connections.forInstallation(globex.orgId, victimId)).accessToken()).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
      details: { state: 'disabled' },
    });

    const reentered = await api.request('PATCH', path, {
      token: globex.token,
      body: { settings: { token: tokens.impliedScope } },
    });
    expect(reentered.status).toBe(200);
    expect(reentered.body.installation).toMatchObject({ state: 'active', stateReason: null });
    expect(await (await connections.forInstallation(globex.orgId, victimId)).accessToken()).toBe(tokens.impliedScope);
  });

  it('deletes an installation with its credentials and schedule, and optionally its entities', async () => {
    const path = `/v1/installations/${installationId}`;
    expect(await nextRunAt(installationId)).not.toBeNull();
    const response = await api.request('DELETE', `${path}?deleteEntities=true`, { token: acme.token });
    expect(response.status).toBe(200);
    expect(response.body.deleted).toEqual({ id: installationId, entitiesDeleted: 0 });
    expect(hooks.entityDeletions).toEqual([installationId]);
    expect(await nextRunAt(installationId)).toBeNull();
    expect((await api.request('GET', path, { token: acme.token })).status).toBe(404);
    const rows = await adminQuery(api.db, 'SELECT 1 FROM installation_credentials WHERE installation_id = $1', [installationId]);
    expect(rows).toEqual([]);
  });

  it('never let a token reach a log line, a response, a job payload or a database column in clear', async () => {
    const leaks = await findSecretLeaks(Object.values(tokens), {
      logs: api.logs,
      responses: api.responses,
      redis: api.redis,
      database: api.db,
    });
    expect(leaks).toEqual([]);
    // A positive control: the same scan finds a value that is in every source (the org id).
    const found = await findSecretLeaks([acme.orgId], {
      logs: api.logs,
      responses: api.responses,
      redis: api.redis,
      database: api.db,
    });
    expect(new Set(found.map((leak) => leak.split(' ')[0]))).toEqual(new Set(['log', 'response', 'redis', 'table']));
    // And the tokens did travel: to GitHub only.
    expect(github.requests.some((request) => request.headers.authorization === `Bearer ${tokens.good}`)).toBe(true);
  });
});
