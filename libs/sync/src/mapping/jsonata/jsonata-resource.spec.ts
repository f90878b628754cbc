import { describe, expect, it } from 'vitest';
import type { ItemOutcome } from '../entity-shape.js';
import { resourceSchema } from '../mapping.schema.js';
import { JsonataResource } from './jsonata-resource.js';

const at = 'resources[0].port.entity.mappings';
/** A resource with these leaves; `map` returns the one outcome of one item, without the position. */
const mapper = (mappings: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const config = resourceSchema.parse({
    kind: 'x',
    port: { entity: { mappings: { identifier: 'id', blueprint: '"svc"', ...mappings } } },
    ...extra,
  });
  const resource = new JsonataResource(config, 0);
  return {
    map: async (item: unknown) => {
      const out: ItemOutcome[] = [];
      await resource.mapItem(item, 0, out);
      const [{ item: _position, ...outcome }] = out as [ItemOutcome];
      return outcome;
    },
  };
};

describe('JsonataResource', () => {
  it('maps an item with literals, paths and JSONata expressions together', async () => {
    const result = await mapper({
      title: 'name & " (" & $uppercase(lang) & ")"',
      team: 'owner.team',
      properties: { url: 'links.html', stars: 'stars * 2', archived: 'archived = true', missing: 'nope' },
      relations: { owner: 'owner.login', tags: 'tags', none: 'nothing' },
    }).map({
      id: 42,
      name: 'api',
      lang: 'go',
      owner: { login: 'ann', team: 'core' },
      links: { html: 'https://x' },
      stars: 2,
      archived: false,
      tags: ['a', 'b'],
    });
    expect(result).toEqual({
      outcome: 'entity',
      entity: {
        identifier: '42',
        blueprint: 'svc',
        title: 'api (GO)',
        team: ['core'],
        properties: { url: 'https://x', stars: 4, archived: false, missing: null },
        relations: { owner: 'ann', tags: ['a', 'b'], none: null },
      },
    });
  });

  it('fails an item without an identifier, naming the field', async () => {
    expect(await mapper({}).map({ name: 'x' })).toEqual({
      outcome: 'failed',
      code: 'INVALID_ENTITY',
      reason: 'identifier is empty (null, missing or "")',
      field: `${at}.identifier`,
    });
  });

  it('names the leaf whose evaluation failed, with JSONata’s message and position', async () => {
    const result = await mapper({ properties: { ok: 'name', bad: 'name + 1' } }).map({ id: 'a', name: 'x' });
    expect(result).toEqual({
      outcome: 'failed',
      code: 'EXPRESSION_FAILED',
      reason: expect.stringMatching(/^The left side of the "\+" operator must evaluate to a number \(at position \d+/),
      field: `${at}.properties.bad`,
      identifier: 'a',
    });
  });

  it('stops an expression that never ends (time guardrail)', async () => {
    const result = await mapper({ properties: { spin: '($f := function($n){ $n != 0 ? $f($n - 1) : 0 }; $f(-1))' } }).map({
      id: 'a',
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      code: 'TIME_LIMIT',
      field: `${at}.properties.spin`,
      reason: expect.stringContaining('Evaluation timeout after 1000 milliseconds'),
    });
  });

  it('stops an expression that recurses too deep (depth guardrail)', async () => {
    const result = await mapper({ properties: { deep: '($f := function($n){ $n > 0 ? 1 + $f($n - 1) : 0 }; $f(100000))' } }).map({
      id: 'a',
    });
    expect(result).toMatchObject({
      outcome: 'failed',
      code: 'SIZE_LIMIT',
      field: `${at}.properties.deep`,
      reason: expect.stringContaining('Stack overflow'),
    });
  });

  it('has no access to the environment or host', async () => {
    const result = await mapper({ properties: { env: '$env', process: '$process', eval: '$eval("$millis()") > 0' } }).map({
      id: 'a',
    });
    expect(result).toMatchObject({ outcome: 'entity', entity: { properties: { env: null, process: null, eval: true } } });
  });
});

describe('limits', () => {
  it('refuses a $pad wider than the limit, and a sequence longer than the limit, with coded errors', async () => {
    expect(await mapper({ properties: { pad: '$pad("x", 100000000)' } }).map({ id: 'a' })).toMatchObject({
      outcome: 'failed',
      code: 'SIZE_LIMIT',
      field: `${at}.properties.pad`,
      reason: expect.stringMatching(/^\$pad width 100000000 exceeds the limit of 2000000 characters/),
    });
    expect(
      await mapper(
        {},
        { port: { itemsToParse: '[1..999999]', entity: { mappings: { identifier: '$string(item)', blueprint: '"b"' } } } },
      ).map({}),
    ).toMatchObject({
      outcome: 'failed',
      code: 'SIZE_LIMIT',
      field: 'resources[0].port.itemsToParse',
      reason: expect.stringMatching(/^the expression builds a sequence longer than the limit of 100000 items/),
    });
    expect(
      await mapper(
        {},
        { port: { itemsToParse: '[1..20000]', entity: { mappings: { identifier: '$string(item)', blueprint: '"b"' } } } },
      ).map({}),
    ).toMatchObject({
      outcome: 'failed',
      code: 'SIZE_LIMIT',
      reason: 'itemsToParse yielded 20000 items; the limit is 10000 per item',
    });
  });

  it('matches regular expressions in linear time (RE2): the backtracking pattern answers at once', async () => {
    const result = await mapper({
      properties: { match: '$contains(name, /^(a+)+$/)', replaced: '$replace(name, /a+/, "b")' },
    }).map({ id: 'a', name: `${'a'.repeat(5_000)}!` });
    expect(result).toMatchObject({ outcome: 'entity', entity: { properties: { match: false, replaced: 'b!' } } });
  });
});
