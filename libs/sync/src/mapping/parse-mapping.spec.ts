import { describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import { fakeIntegration } from '@mooring/integrations';
import { parseMapping, validateMapping } from './index.js';

const resource = (mappings: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  kind: 'service',
  port: { entity: { mappings: { identifier: 'id', blueprint: '"fakeService"', ...mappings } } },
  ...extra,
});

describe('parseMapping', () => {
  it('applies Port’s defaults (true, true, true, 0.9) and keys resources as kind-index', async () => {
    const mapping = await parseMapping({ resources: [resource({}), resource({})] });
    expect(mapping.config).toMatchObject({
      deleteDependentEntities: true,
      createMissingRelatedEntities: true,
      enableMergeEntity: true,
      entityDeletionThreshold: 0.9,
    });
    expect(mapping.resources.map((r) => r.key)).toEqual(['service-0', 'service-1']);
    expect(mapping.resources[0]!.blueprint).toBe('fakeService');
    expect(mapping.resources[0]!.config.port.itemsToParseName).toBe('item');
    expect(mapping.language).toBe('jsonata');
  });

  it('accepts the fake integration’s default mapping against its kinds', async () => {
    expect(await validateMapping(fakeIntegration.defaultMapping, { integration: fakeIntegration })).toEqual([]);
  });

  it('refuses a bad expression naming its path and the JSONata position', async () => {
    const issues = await validateMapping({
      resources: [resource({}), resource({ properties: { url: 'html_url & (' }, relations: { 'owning team': '$lowercase(' } })],
    });
    expect(issues).toEqual([
      {
        field: 'resources[1].port.entity.mappings.properties.url',
        message: expect.stringMatching(/^invalid JSONata: .+ \(at position \d+/),
        position: expect.any(Number),
        token: expect.any(String),
      },
      {
        field: 'resources[1].port.entity.mappings.relations["owning team"]',
        message: expect.stringMatching(/^invalid JSONata: /),
        position: expect.any(Number),
        token: expect.any(String),
      },
    ]);
  });

  it('throws VALIDATION_FAILED whose message leads with the first bad path', async () => {
    try {
      await parseMapping({ resources: [resource({ title: '}' })] });
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error, 'VALIDATION_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(
        /^Invalid mapping: resources\[0\]\.port\.entity\.mappings\.title: invalid JSONata/,
      );
    }
  });

  it('checks the selector and itemsToParse expressions too', async () => {
    const issues = await validateMapping({ resources: [resource({}, { selector: { query: '= 1' } })] });
    expect(issues.map((i) => i.field)).toEqual(['resources[0].selector.query']);
    const items = await validateMapping({
      resources: [{ ...resource({}), port: { itemsToParse: '[', entity: { mappings: { identifier: 'id', blueprint: '"x"' } } } }],
    });
    expect(items.map((i) => i.field)).toEqual(['resources[0].port.itemsToParse']);
  });

  it('refuses unknown keys, missing required leaves and out-of-range settings', async () => {
    const issues = await validateMapping({
      entityDeletionThreshold: 1.5,
      deleteDependents: true,
      resources: [{ kind: 'service', port: { entity: { mappings: { identifier: 'id', colour: '"red"' } } } }],
    });
    expect(issues.map((i) => i.field).sort()).toEqual([
      '(root)',
      'entityDeletionThreshold',
      'resources[0].port.entity.mappings',
      'resources[0].port.entity.mappings.blueprint',
    ]);
  });

  it('checks kinds and selector keys against the integration', async () => {
    const issues = await validateMapping(
      { resources: [resource({}, { kind: 'incident' }), resource({}, { selector: { query: 'true', states: ['open'] } })] },
      { integration: fakeIntegration },
    );
    expect(issues).toEqual([
      { field: 'resources[0].kind', message: 'Fake tool has no kind "incident" (it has: team, service, deployment)' },
      { field: 'resources[1].selector.states', message: 'unknown key: the "service" selector has only "query"' },
    ]);
  });

  it('hashes the normalized mapping: defaults spelled out or not, same hash', async () => {
    const implicit = await parseMapping({ resources: [resource({})] });
    const explicit = await parseMapping({
      language: 'jsonata',
      entityDeletionThreshold: 0.9,
      resources: [resource({}, { selector: { query: 'true' } })],
    });
    const other = await parseMapping({ entityDeletionThreshold: 0.5, resources: [resource({})] });
    expect(explicit.hash).toBe(implicit.hash);
    expect(other.hash).not.toBe(implicit.hash);
  });

  it('accepts Port’s JQ mapping shape with `language: jq`, literal blueprints in Port’s quotes', async () => {
    const mapping = await parseMapping({
      language: 'jq',
      resources: [
        {
          kind: 'service',
          selector: { query: '.archived == false' },
          port: {
            entity: {
              mappings: {
                identifier: '.id',
                title: '.name // ""',
                blueprint: "'fakeService'",
                properties: { url: '.url', tags: '[.tags[] | ascii_downcase]' },
              },
            },
          },
        },
      ],
    });
    expect(mapping.language).toBe('jq');
    expect(mapping.resources[0]!.blueprint).toBe('fakeService');
  });

  it('compiles every JQ expression with jq itself and names the bad ones, with jq’s message and position', async () => {
    const issues = await validateMapping({
      language: 'jq',
      resources: [
        resource(
          {
            identifier: '.id',
            blueprint: '"svc"',
            properties: { a: '.a +', b: 'nosuchfunction(1)', c: '.c)', d: 'file://README.md' },
          },
          { selector: { query: '.tier | test("^(a+)+$")' } },
        ),
      ],
    });
    expect(issues).toEqual([
      {
        field: 'resources[0].selector.query',
        message: expect.stringMatching(/^invalid JQ: the regular expression "\^\(a\+\)\+\$" repeats a group that itself repeats/),
      },
      {
        field: 'resources[0].port.entity.mappings.properties.a',
        message: expect.stringMatching(/^invalid JQ: syntax error.*\(at position 5\)/),
      },
      {
        field: 'resources[0].port.entity.mappings.properties.b',
        message: expect.stringMatching(/^invalid JQ: nosuchfunction\/1 is not defined/),
      },
      {
        field: 'resources[0].port.entity.mappings.properties.c',
        message: 'invalid JQ: ")" at position 2 closes nothing it opened',
      },
      {
        field: 'resources[0].port.entity.mappings.properties.d',
        message: expect.stringMatching(/^invalid JQ: file:\/\/ leaves/),
      },
    ]);
  });

  it('refuses JSONata regular expressions that need backtracking, naming the field', async () => {
    const issues = await validateMapping({ resources: [resource({ properties: { x: '$match(name, /(a)\\1/)' } })] });
    expect(issues).toEqual([
      expect.objectContaining({
        field: 'resources[0].port.entity.mappings.properties.x',
        message: expect.stringMatching(/^invalid JSONata: regular expression \/\(a\)\\1\/: backreferences/),
      }),
    ]);
  });
});
