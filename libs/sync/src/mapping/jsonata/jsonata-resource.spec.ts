import { describe, expect, it } from 'vitest';
import { compileExpression } from '../mapping/jsonata-expression.js';
import { EntityMapper } from './entity-mapper.js';
import { FALLBACK, fastEvaluator } from './fast-expression.js';

const at = 'resources[0].port.entity.mappings';
const mapper = (mappings: Record<string, unknown>) =>
  new EntityMapper({ identifier: 'id', blueprint: '"svc"', properties: {}, relations: {}, ...mappings }, at);

describe('EntityMapper', () => {
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
      reason: 'identifier is empty (null, missing or "")',
      field: `${at}.identifier`,
    });
  });

  it('names the leaf whose evaluation failed, with JSONata’s message and position', async () => {
    const result = await mapper({ properties: { ok: 'name', bad: 'name + 1' } }).map({ id: 'a', name: 'x' });
    expect(result).toEqual({
      outcome: 'failed',
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

describe('fast evaluation agrees with JSONata', () => {
  const expressions = [
    'a',
    'a.b',
    'a.b.c',
    '"lit"',
    '12',
    'true',
    'null',
    'a = 1',
    'a != "x"',
    'a.b = null',
    'a = false',
    'a & "-" & a.b',
    '"x" & b',
  ];
  const inputs: unknown[] = [
    {},
    { a: 1 },
    { a: 'x' },
    { a: null },
    { a: false },
    { a: [1, 2] },
    { a: [{ b: 1 }, { b: 2 }] },
    { a: [{ b: 1 }] },
    { a: { b: [1] } },
    { a: { b: null } },
    { a: { b: { c: 'deep' } } },
    { a: { b: { c: [1, 2] } } },
    { a: { x: 1 } },
    { a: 'x', b: 'y' },
    { a: 1, b: true },
    [{ a: 1 }],
    'text',
  ];
  for (const source of expressions) {
    it(source, async () => {
      const expression = compileExpression(source);
      const fast = fastEvaluator(expression)!;
      expect(fast).toBeDefined();
      for (const input of inputs) {
        const direct = fast(input);
        if (direct === FALLBACK) continue;
        expect(direct, JSON.stringify(input)).toEqual(await expression.evaluate(input));
      }
    });
  }

  it('leaves anything else to JSONata', () => {
    for (const source of ['a[0]', 'a.b[c = 1]', '$string(a)', 'a & $string(b)', 'a > 1', '$', 'a.*', '**.a']) {
      expect(fastEvaluator(compileExpression(source)), source).toBeUndefined();
    }
  });
});
