import { describe, expect, it } from 'vitest';
import { BAIL, CompiledTimeout, compileJsonata } from './jsonata-compiler.js';
import { compileExpression } from './jsonata-expression.js';

// Property test: for generated items, every expression of the corpus gives the same result
// (or both fail) compiled as with JSONata's interpreter. A compiled evaluation may bail out (the
// interpreter then decides), but not often: a compiler that bails on everything must fail here.

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS: unknown[] = [null, true, false, 0, 1, 2, -2, 1.5, 3, 'x', 'a-b', ' A  b ', '', 'X', 'm', 'a-b-c', '😀é'];

function generate(next: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const roll = next();
  if (depth > 2 || roll < 0.5) return pick(SCALARS);
  if (roll < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => generate(next, depth + 1));
  return item(next, depth + 1);
}

function item(next: () => number, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of ['a', 'b', 'c']) if (next() < 0.8) result[key] = generate(next, depth);
  return result;
}

const CORPUS = [
  // paths, predicates, flattening
  'a',
  'a.b',
  'a.b.c',
  'a[0]',
  'a[-1]',
  'a[1].b',
  'a.b[0]',
  'a[b = 1]',
  'a[b > 1].c',
  'a[b]',
  'a[]',
  'a.b[]',
  '$.a',
  '$$.a.b',
  'a.$lowercase($)',
  'a.b.$string($)',
  // literals and operators
  '"lit"',
  '12',
  'true',
  'null',
  'a = 1',
  'a != "x"',
  'a = b',
  'a & "-" & b',
  'a.b & c',
  'a + 1',
  'a * 2 - b',
  'a % 3',
  'a / 2',
  '-a',
  'a > 1',
  'a <= "m"',
  'a and b',
  'a or b.c',
  'a in ["x", 1]',
  'a in b',
  'a ? b : c',
  'a ? b',
  'a ?: "d"',
  'a ?? "d"',
  '[a, b]',
  '[a, [b]]',
  '[1..3]',
  '[1..a]',
  '{"x": a, "y": b}',
  'a.{"x": b}',
  '($x := a; $x & $x)',
  '($x := a; $y := $x; [$y, b])',
  '(a)',
  // functions
  '$not(a)',
  '$boolean(a)',
  '$exists(a.b)',
  '$string(a)',
  '$string(a.b)',
  '$length(a)',
  '$lowercase(a)',
  '$uppercase(a)',
  '$trim(a)',
  '$substring(a, 1, 2)',
  '$substring(a, -2)',
  '$substringBefore(a, "-")',
  '$substringAfter(a, "-")',
  '$contains(a, "x")',
  '$split(a, "-")',
  '$split(a, "-", 1)',
  '$join(a, ",")',
  '$join(a)',
  '$replace(a, "x", "y")',
  '$replace(a, "-", "+", 1)',
  '$number(a)',
  '$abs(a)',
  '$floor(a)',
  '$ceil(a)',
  '$round(a, 1)',
  '$round(a)',
  '$count(a)',
  '$sum(a)',
  '$max(a)',
  '$min(a)',
  '$append(a, b)',
  '$pad(a, 5)',
  '$pad(a, -5, "#")',
  '$map(a, function($v) { $v & "!" })',
  '$map(a, function($v, $i) { $i })',
  '$map(a, function($v) { $v.b })',
  '$map(a.b, function($v) { $lowercase($v) })',
  '$map(a, function($v) { $v ? $string($v) : "none" })',
  '$filter(a, function($v) { $v = 1 })',
  '$filter(a, function($v, $i) { $i > 0 })',
  '$count(a[b])',
  'a[0] = b',
  '$not(archived) and tier <= 3',
];

async function interpret(source: string, input: unknown): Promise<{ value: string } | { error: true }> {
  try {
    return { value: JSON.stringify(await compileExpression(source).evaluate(input)) ?? 'undefined' };
  } catch {
    return { error: true };
  }
}

describe('JSONata compiled to closures', () => {
  it('compiles every expression of the corpus', () => {
    const missed = CORPUS.filter((source) => !compileJsonata(compileExpression(source)));
    expect(missed).toEqual([]);
  });

  it('agrees with JSONata’s interpreter on generated items, for every expression of the corpus', async () => {
    const next = random(20261128);
    const items = Array.from({ length: 150 }, () => item(next));
    let needlessBails = 0;
    let successes = 0;
    for (const source of CORPUS) {
      const compiled = compileJsonata(compileExpression(source))!;
      for (const input of items) {
        let direct: { value: string } | { error: true } | undefined;
        try {
          direct = { value: JSON.stringify(compiled(input)) ?? 'undefined' };
        } catch (error) {
          if (error !== BAIL) throw error;
        }
        const reference = await interpret(source, input);
        if ('value' in reference) successes++;
        if (!direct) {
          if ('value' in reference) needlessBails++;
          continue;
        }
        expect(direct, `${source} on ${JSON.stringify(input)}`).toEqual(reference);
      }
    }
    // Bailing hands the item to the interpreter (always correct, and what a JSONata error does);
    // where JSONata succeeds, the compiler must do nearly all of the work itself.
    expect(needlessBails / successes).toBeLessThan(0.05);
  });

  it('leaves what it does not cover to the interpreter', () => {
    for (const source of [
      'a.*',
      '**.a',
      '$sort(a)',
      'a^(b)',
      'a#$i',
      'a@$x',
      'a.%.b',
      '$now()',
      '$match(a, /x/)',
      '$f := function(){1}',
      'a{b: c}',
    ]) {
      expect(compileJsonata(compileExpression(source)), source).toBeUndefined();
    }
  });

  it('keeps the time guardrail: a loop over a large range ends with JSONata’s timeout', () => {
    const compiled = compileJsonata(
      compileExpression('$map([1..90000], function($a) { $map([1..90000], function($b) { $b }) })'),
    )!;
    expect(() => compiled({})).toThrow(CompiledTimeout);
  });

  it('keeps the depth guardrail: a deeply nested expression is not compiled, so JSONata’s stack limit applies', () => {
    const deep = `${'['.repeat(300)}1${']'.repeat(300)}`;
    expect(compileJsonata(compileExpression(deep))).toBeUndefined();
  });
});
