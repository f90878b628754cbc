import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS, type IntegrationConnection, type JsonObject } from '@mooring/integrations';
import { FakeRestApi, fakeProjects, testConnection } from '@mooring/integrations/testing';
import { MappingPool, mappingExpressions } from '@mooring/sync';

// The generic integration's items expressions, evaluated by the mapping engine's own evaluators
// (JSONata with its guardrails; the real jq in the pool's worker threads) against a REST API on
// loopback: each language selects a kind's items across pages, an answer whose expression yields
// no list fails the kind, a runaway jq program is stopped, and a wrong expression is refused on
// save naming its field.
const genericHttp = INTEGRATIONS.find((integration) => integration.id === 'generic-http')!;

describe('generic HTTP: items selected by an expression', () => {
  let pool: MappingPool;
  let api: FakeRestApi | undefined;

  beforeAll(() => {
    pool = new MappingPool({ threads: 1, pageMs: 4_000 });
  });
  afterAll(() => pool.close());
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const installation = (origin: string, kind: Record<string, unknown>) => ({
    baseUrl: origin,
    kinds: JSON.stringify([{ name: 'projects', ...kind }]),
  });
  const connect = (settings: Record<string, string>, expressions = true): IntegrationConnection =>
    testConnection(settings, 't', expressions ? { expressions: mappingExpressions(pool) } : {});
  const list = async (settings: Record<string, string>) => {
    const items: JsonObject[] = [];
    const kind = genericHttp.kindsFor!(settings)['projects']!;
    for await (const page of kind.extract(connect(settings), {})) items.push(...('items' in page ? page.items : page));
    return items;
  };
  const failure = async (settings: Record<string, string>) => {
    try {
      await list(settings);
    } catch (error) {
      return error as { code: string; message: string };
    }
    throw new Error('the listing succeeded');
  };

  it.each([
    {
      language: 'jsonata',
      expression: 'results',
      path: '/cursor/projects',
      pagination: { type: 'cursor', cursorPath: 'meta.next_cursor', param: 'cursor' },
    },
    { language: 'jsonata', expression: '$.data', path: '/offset/projects', pagination: { type: 'offset', limit: 3 } },
    { language: 'jq', expression: '.data', path: '/offset/projects', pagination: { type: 'offset', limit: 3 } },
    // Outputs that make the list, including a last page of one item.
    { language: 'jq', expression: '.data[]', path: '/offset/projects', pagination: { type: 'offset', limit: 3 } },
    {
      language: 'jq',
      expression: '.items | map(select(.name != null))',
      path: '/next/projects',
      pagination: { type: 'nextUrl', nextPath: 'links.next' },
    },
  ])('lists every page with $language `$expression`', async ({ language, expression, path, pagination }) => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const items = await list(installation(api.origin, { path, pagination, itemsExpression: { language, expression } }));
    expect(items).toEqual(fakeProjects(7));
  });

  it('fails the kind (UPSTREAM_MALFORMED) when the expression yields no list, a list of non-objects, or an error', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const offset = (language: string, expression: string) =>
      installation(api!.origin, {
        path: '/offset/projects',
        pagination: { type: 'offset', limit: 3 },
        itemsExpression: { language, expression },
      });
    for (const [language, expression] of [
      ['jsonata', 'more'],
      ['jsonata', 'nothing.here'],
      ['jq', '.data[0].name'],
      ['jq', '.data[].id'],
      ['jq', '.missing[]'],
      ['jsonata', '$number("x")'],
    ] as const) {
      const error = await failure(offset(language, expression));
      expect(error.code, `${language} ${expression}: ${error.message}`).toBe('UPSTREAM_MALFORMED');
    }
  });

  it('stops a runaway jq program at the time limit and fails the kind, and the pool keeps working', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const spin = installation(api.origin, {
      path: '/page/projects',
      itemsExpression: { language: 'jq', expression: '0 | until(. < 0; . + 1)' },
    });
    const error = await failure(spin);
    expect(error.code).toBe('UPSTREAM_MALFORMED');
    expect(error.message).toMatch(/took more than/);
    const healthy = installation(api.origin, {
      path: '/page/projects',
      pagination: { type: 'pageNumber', size: 3 },
      itemsExpression: { language: 'jq', expression: '.' },
    });
    expect(await list(healthy)).toEqual(fakeProjects(7));
  });

  it('refuses a wrong expression on save naming its field, as mapping validation does', async () => {
    api = await FakeRestApi.start({ type: 'bearer', token: 't' });
    const settings = {
      baseUrl: api.origin,
      kinds: JSON.stringify([
        { name: 'a', path: '/page/projects', itemsExpression: { language: 'jsonata', expression: 'data[' } },
        { name: 'b', path: '/page/projects', itemsExpression: { language: 'jq', expression: '.data | nope(1)' } },
        { name: 'c', path: '/page/projects', itemsExpression: { language: 'jq', expression: '.' } },
      ]),
    };
    const refused = await genericHttp.verifyCredentials(connect(settings)).then(
      () => undefined,
      (error: unknown) => error as { code: string; details: { fields: { field: string; message: string }[] } },
    );
    expect(refused?.code).toBe('VALIDATION_FAILED');
    expect(refused?.details.fields.map((f) => f.field)).toEqual([
      'settings.kinds[0].itemsExpression.expression',
      'settings.kinds[1].itemsExpression.expression',
    ]);
    expect(refused?.details.fields[0]!.message).toMatch(/^invalid jsonata: /);
    expect(refused?.details.fields[1]!.message).toMatch(/^invalid jq: .*nope/);
    // Nothing was read from the API before the settings were found wrong.
    expect(api.server.requests).toHaveLength(0);

    const withoutEngine = await genericHttp.verifyCredentials(connect(settings, false)).then(
      () => undefined,
      (error: unknown) => error as { code: string },
    );
    expect(withoutEngine?.code).toBe('VALIDATION_FAILED');
  });
});
