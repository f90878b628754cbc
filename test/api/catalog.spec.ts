import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIntegration } from '@mooring/integrations';
import { TestApi, type TestOrganization } from '../support/test-api.js';

const team = {
  identifier: 'team',
  title: 'Team',
  schema: { properties: { slack: { type: 'string', format: 'url' } } },
};
const service = {
  identifier: 'service',
  title: 'Service',
  icon: 'Service',
  schema: {
    properties: {
      url: { type: 'string', format: 'url', title: 'URL' },
      tier: { type: 'number', minimum: 1, maximum: 3 },
      language: { type: 'string', enum: ['go', 'typescript'] },
    },
    required: ['url'],
  },
  relations: { team: { target: 'team', title: 'Team', many: false, required: false } },
};
const deployment = {
  identifier: 'deployment',
  title: 'Deployment',
  schema: { properties: { version: { type: 'string' } } },
  relations: { service: { target: 'service', many: false, required: true } },
};

describe('catalog API', () => {
  let api: TestApi;
  let acme: TestOrganization;
  let globex: TestOrganization;
  let member: string;
  let moderator: string;

  const as = (token: string) => ({
    get: (path: string) => api.request('GET', path, { token }),
    post: (path: string, body: unknown) => api.request('POST', path, { token, body }),
    put: (path: string, body: unknown) => api.request('PUT', path, { token, body }),
    patch: (path: string, body: unknown) => api.request('PATCH', path, { token, body }),
    delete: (path: string) => api.request('DELETE', path, { token }),
  });

  beforeAll(async () => {
    api = await TestApi.start();
    acme = await api.createOrganization('acme');
    globex = await api.createOrganization('globex');
    const client = async (role: string) => {
      const created = await as(acme.token).post('/v1/organization/api-clients', { name: role, role });
      return api.token(created.body.apiClient.clientId, created.body.clientSecret);
    };
    member = await client('member');
    moderator = await client('moderator');
    for (const blueprint of [team, service, deployment]) {
      const response = await as(acme.token).post('/v1/blueprints', blueprint);
      expect(response.status).toBe(201);
    }
  });

  afterAll(async () => {
    await api.close();
  });

  describe('blueprints', () => {
    it('creates, reads and replaces a blueprint, bumping its version', async () => {
      const got = await as(member).get('/v1/blueprints/service');
      expect(got.status).toBe(200);
      expect(got.body.blueprint).toMatchObject({ ...service, schema: { ...service.schema }, version: 1 });
      const replaced = await as(acme.token).put('/v1/blueprints/team', {
        ...team,
        schema: { properties: { ...team.schema.properties, size: { type: 'number' } } },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.blueprint).toMatchObject({
        version: 2,
        schema: { properties: { size: { type: 'number' } }, required: [] },
      });
      const list = await as(member).get('/v1/blueprints');
      expect(list.body.blueprints.map((b: { identifier: string }) => b.identifier)).toEqual(['deployment', 'service', 'team']);
    });

    it('refuses an invalid blueprint naming the field, and a duplicate', async () => {
      const badFormat = await as(acme.token).post('/v1/blueprints', {
        identifier: 'x',
        title: 'X',
        schema: { properties: { n: { type: 'number', format: 'url' }, s: { type: 'string', colour: 'red' } } },
      });
      expect(badFormat.status).toBe(400);
      expect(badFormat.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'schema.properties.n.format',
        'schema.properties.s',
      ]);
      const badTarget = await as(acme.token).post('/v1/blueprints', {
        identifier: 'x',
        title: 'X',
        relations: { owner: { target: 'nobody' } },
      });
      expect(badTarget.status).toBe(400);
      expect(badTarget.body.error.details.fields).toEqual([
        { field: 'relations.owner.target', message: 'blueprint "nobody" does not exist' },
      ]);
      const duplicate = await as(acme.token).post('/v1/blueprints', team);
      expect(duplicate.status).toBe(409);
    });

    it('checks blueprint patterns on a linear-time engine, refusing those that need backtracking', async () => {
      const lookahead = await as(acme.token).post('/v1/blueprints', {
        identifier: 'p',
        title: 'P',
        schema: { properties: { code: { type: 'string', pattern: '^(?!x)\\w+$' } } },
      });
      expect(lookahead.status).toBe(400);
      expect(lookahead.body.error.details.fields).toEqual([
        { field: 'schema.properties.code.pattern', message: expect.stringMatching(/^is not supported: lookahead/) },
      ]);
      const created = await as(acme.token).post('/v1/blueprints', {
        identifier: 'pattern',
        title: 'Pattern',
        schema: { properties: { code: { type: 'string', pattern: '^(a+)+$' } } },
      });
      expect(created.status).toBe(201);
      // A backtracking engine takes ~2^n steps on this value (30 characters stalled the api 5.9 s);
      // at 60 it would not answer before the test's time limit.
      const attack = await as(moderator).post('/v1/blueprints/pattern/entities', {
        identifier: 'attack',
        properties: { code: `${'a'.repeat(60)}!` },
      });
      expect(attack.status).toBe(400);
      expect(attack.body.error.details.fields).toEqual([{ field: 'properties.code', message: 'must match pattern "^(a+)+$"' }]);
      const fine = await as(moderator).post('/v1/blueprints/pattern/entities', {
        identifier: 'fine',
        properties: { code: 'a'.repeat(60) },
      });
      expect(fine.status).toBe(201);
    });

    it('lets only admins change blueprints', async () => {
      expect((await as(moderator).post('/v1/blueprints', { identifier: 'y', title: 'Y' })).status).toBe(403);
      expect((await as(moderator).delete('/v1/blueprints/team')).status).toBe(403);
    });
  });

  describe('entities', () => {
    it('creates an entity, refuses it twice without upsert, and merges with upsert+merge', async () => {
      const created = await as(moderator).post('/v1/blueprints/team/entities', { identifier: 'core', title: 'Core' });
      expect(created.status).toBe(201);
      const body = {
        identifier: 'api',
        title: 'API',
        team: 'core',
        properties: { url: 'https://api.example.test', tier: 1 },
        relations: { team: 'core' },
      };
      expect((await as(moderator).post('/v1/blueprints/service/entities', body)).status).toBe(201);
      const again = await as(moderator).post('/v1/blueprints/service/entities', body);
      expect(again.status).toBe(409);

      const merged = await as(moderator).post('/v1/blueprints/service/entities?upsert=true&merge=true', {
        identifier: 'api',
        properties: { language: 'go' },
      });
      expect(merged.status).toBe(200);
      expect(merged.body.entity).toMatchObject({
        identifier: 'api',
        title: 'API',
        team: ['core'],
        properties: { url: 'https://api.example.test', tier: 1, language: 'go' },
        relations: { team: 'core' },
        installationId: null,
      });
      const replaced = await as(moderator).post('/v1/blueprints/service/entities?upsert=true', {
        identifier: 'api',
        properties: { url: 'https://new.example.test' },
      });
      expect(replaced.body.entity).toMatchObject({ title: null, properties: { url: 'https://new.example.test' }, relations: {} });
      const patched = await as(moderator).patch('/v1/blueprints/service/entities/api', { properties: { tier: 2 } });
      expect(patched.body.entity.properties).toEqual({ url: 'https://new.example.test', tier: 2 });
    });

    it('validates properties and relations against the blueprint, naming each field', async () => {
      const response = await as(moderator).post('/v1/blueprints/service/entities', {
        identifier: 'bad',
        properties: { url: 'not a url', tier: 7, colour: 'red' },
        relations: { team: 'nobody', owner: 'x' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'properties.colour',
        'properties.tier',
        'properties.url',
        'relations.owner',
      ]);
      const missingTarget = await as(moderator).post('/v1/blueprints/service/entities', {
        identifier: 'orphan',
        properties: { url: 'https://o.example.test' },
        relations: { team: 'nobody' },
      });
      expect(missingTarget.status).toBe(400);
      expect(missingTarget.body.error.details.fields).toEqual([
        { field: 'relations.team', message: 'related entity team/nobody does not exist' },
      ]);
      const required = await as(moderator).post('/v1/blueprints/service/entities', { identifier: 'nourl' });
      expect(required.body.error.details.fields).toEqual([{ field: 'properties.url', message: 'is required' }]);
    });

    it('creates placeholders for missing related entities when asked', async () => {
      const response = await as(moderator).post('/v1/blueprints/service/entities?create_missing_related_entities=true', {
        identifier: 'web',
        properties: { url: 'https://web.example.test' },
        relations: { team: 'frontend' },
      });
      expect(response.status).toBe(201);
      const placeholder = await as(member).get('/v1/blueprints/team/entities/frontend');
      expect(placeholder.body.entity).toMatchObject({ identifier: 'frontend', placeholder: true, title: null });
    });

    it('bulk-upserts, reporting each invalid entity by index', async () => {
      const response = await as(moderator).post('/v1/blueprints/deployment/entities/bulk?upsert=true', {
        entities: [
          { identifier: 'd1', properties: { version: '1.0' }, relations: { service: 'api' } },
          { identifier: 'd2', properties: { version: 2 }, relations: { service: 'api' } },
          { identifier: 'd3', relations: {} },
          { identifier: 'd4', properties: { version: '1.1' }, relations: { service: 'web' } },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body.entities).toEqual([
        { identifier: 'd1', index: 0, created: true },
        { identifier: 'd4', index: 3, created: true },
      ]);
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          identifier: 'd2',
          index: 1,
          code: 'VALIDATION_FAILED',
          fields: [{ field: 'properties.version', message: 'must be string' }],
        }),
        expect.objectContaining({ identifier: 'd3', index: 2, fields: [{ field: 'relations.service', message: 'is required' }] }),
      ]);
    });

    it('lists with cursor pagination and search', async () => {
      const entities = Array.from({ length: 25 }, (_, i) => ({
        identifier: `page-${String(i).padStart(2, '0')}`,
        title: i % 5 ? `Team ${i}` : `Squad ${i}`,
      }));
      expect((await as(moderator).post('/v1/blueprints/team/entities/bulk', { entities })).body.errors).toEqual([]);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await as(member).get(
          `/v1/blueprints/team/entities?limit=10&search=page-${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(response.status).toBe(200);
        seen.push(...response.body.entities.map((e: { identifier: string }) => e.identifier));
        cursor = response.body.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(entities.map((e) => e.identifier));
      const squads = await as(member).get('/v1/blueprints/team/entities?search=squad');
      expect(squads.body.entities).toHaveLength(5);
      const badCursor = await as(member).get('/v1/blueprints/team/entities?cursor=%%%');
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.error.details.fields[0].field).toBe('cursor');
    });

    it('refuses to delete an entity others require, unless its dependents go too', async () => {
      const blocked = await as(moderator).delete('/v1/blueprints/service/entities/api');
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.details).toEqual({
        reason: 'has_dependents',
        requiredBy: { blueprint: 'deployment', identifier: 'd1' },
      });
      const deleted = await as(moderator).delete('/v1/blueprints/service/entities/api?delete_dependents=true');
      expect(deleted.status).toBe(200);
      expect(deleted.body.deleted).toEqual([
        { blueprint: 'service', identifier: 'api' },
        { blueprint: 'deployment', identifier: 'd1' },
      ]);
      expect((await as(member).get('/v1/blueprints/deployment/entities/d1')).status).toBe(404);
    });

    it('lets members read but not write, and moderators write entities', async () => {
      expect((await as(member).post('/v1/blueprints/team/entities', { identifier: 'm' })).status).toBe(403);
      expect((await as(member).delete('/v1/blueprints/team/entities/core')).status).toBe(403);
      expect((await as(member).get('/v1/blueprints/team/entities/core')).status).toBe(200);
    });

    it('refuses to delete a blueprint with entities unless asked, or one other blueprints relate to', async () => {
      const related = await as(acme.token).delete('/v1/blueprints/team');
      expect(related.status).toBe(409);
      expect(related.body.error.details).toEqual({ reason: 'referenced_by_blueprints', blueprints: ['service'] });
      const withEntities = await as(acme.token).delete('/v1/blueprints/deployment');
      expect(withEntities.status).toBe(409);
      expect(withEntities.body.error.details).toMatchObject({ reason: 'has_entities', entities: 1 });
      const deleted = await as(acme.token).delete('/v1/blueprints/deployment?delete_entities=true');
      expect(deleted.body).toEqual({ deletedEntities: 1 });
      expect((await as(member).get('/v1/blueprints/deployment')).status).toBe(404);
    });
  });

  describe('tenant isolation', () => {
    it('shows another organization none of the catalog, even by identifier', async () => {
      expect((await as(globex.token).get('/v1/blueprints')).body.blueprints).toEqual([]);
      expect((await as(globex.token).get('/v1/blueprints/team')).status).toBe(404);
      expect((await as(globex.token).get('/v1/blueprints/team/entities/core')).status).toBe(404);
      expect((await as(globex.token).delete('/v1/blueprints/team/entities/core')).status).toBe(404);
      // The same identifiers in another organization are its own.
      expect((await as(globex.token).post('/v1/blueprints', team)).status).toBe(201);
      expect((await as(globex.token).get('/v1/blueprints/team/entities')).body.entities).toEqual([]);
      expect((await as(member).get('/v1/blueprints/team/entities/core')).body.entity.title).toBe('Core');
    });
  });

  describe('mapping test', () => {
    it('returns per item the entity or the error, validated against the org’s blueprints', async () => {
      const mapping = {
        resources: [
          {
            kind: 'service',
            selector: { query: 'archived = false' },
            port: {
              entity: {
                mappings: {
                  identifier: 'id',
                  title: 'name',
                  blueprint: '"service"',
                  properties: { url: 'url', tier: 'tier' },
                  relations: { team: 'team_id' },
                },
              },
            },
          },
        ],
      };
      const response = await as(member).post('/v1/mappings/test', {
        mapping,
        integration: 'fake',
        samples: {
          service: [
            { id: 's1', name: 'One', url: 'https://one.example.test', tier: 1, team_id: 'core', archived: false },
            { id: 's2', archived: true },
            { name: 'no id', archived: false },
            { id: 's4', url: 'nope', tier: 9, archived: false },
          ],
        },
      });
      expect(response.status).toBe(200);
      const [results] = response.body.resources;
      expect(results.key).toBe('service-0');
      expect(results.results).toEqual([
        {
          item: 0,
          outcome: 'entity',
          entity: {
            identifier: 's1',
            blueprint: 'service',
            title: 'One',
            properties: { url: 'https://one.example.test', tier: 1 },
            relations: { team: 'core' },
          },
        },
        { item: 1, outcome: 'filtered' },
        {
          item: 2,
          outcome: 'failed',
          error: {
            code: 'INVALID_ENTITY',
            reason: 'identifier is empty (null, missing or "")',
            field: 'resources[0].port.entity.mappings.identifier',
          },
        },
        expect.objectContaining({
          item: 3,
          outcome: 'failed',
          error: expect.objectContaining({
            code: 'INVALID_ENTITY',
            issues: [expect.objectContaining({ field: 'properties.url' }), expect.objectContaining({ field: 'properties.tier' })],
          }),
        }),
      ]);
    });

    it('refuses a bad mapping with the path of the bad expression', async () => {
      const mapping = structuredClone(fakeIntegration.defaultMapping) as any;
      mapping.resources[2].port.entity.mappings.properties.version = 'version &';
      const response = await as(member).post('/v1/mappings/test', { mapping, samples: {} });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details.fields).toEqual([
        expect.objectContaining({ field: 'resources[2].port.entity.mappings.properties.version', position: expect.any(Number) }),
      ]);
    });
  });
});
