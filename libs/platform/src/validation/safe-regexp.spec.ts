import { describe, expect, it } from 'vitest';
import { SafeRegExp, safeRegExpEngine, unsafePatternReason } from './safe-regexp.js';

describe('SafeRegExp (RE2)', () => {
  it('answers a catastrophic-backtracking pattern in linear time', () => {
    // V8 needs ~2^n steps for this on a non-matching input; at n = 5,000 it would never finish.
    const pattern = new SafeRegExp('^(a+)+$');
    expect(pattern.test(`${'a'.repeat(5_000)}!`)).toBe(false);
    expect(pattern.test('a'.repeat(5_000))).toBe(true);
  });

  it('matches like RegExp: groups, index, lastIndex for global patterns, UTF-16 positions', () => {
    const global = new SafeRegExp('é(.)', 'g');
    const input = '😀xé😀yé!';
    const first = global.exec(input)!;
    expect([...first]).toEqual(['é😀', '😀']);
    expect(first.index).toBe(3);
    expect(global.lastIndex).toBe(6);
    const second = global.exec(input)!;
    expect([second[0], second.index]).toEqual(['é!', 7]);
    expect(global.exec(input)).toBeNull();
    expect(global.lastIndex).toBe(0);
    expect(new SafeRegExp('(a)|(b)').exec('b')?.[1]).toBeUndefined();
    expect(new SafeRegExp('ABC', 'i').test('xabcx')).toBe(true);
    expect(new SafeRegExp(/^b$/m).test('a\nb')).toBe(true);
    expect(new SafeRegExp('\\u0041').test('A')).toBe(true);
  });

  it('refuses lookarounds and backreferences with a reason instead of backtracking', () => {
    expect(unsafePatternReason('(?=a)b')).toMatch(/lookahead and lookbehind assertions need backtracking/);
    expect(unsafePatternReason('(?<!a)b')).toMatch(/lookahead/);
    expect(unsafePatternReason('(a)\\1')).toMatch(/backreferences/);
    expect(unsafePatternReason('(?<x>a)\\k<x>')).toMatch(/backreferences/);
    expect(unsafePatternReason('[(?=]\\d+')).toBeUndefined();
    expect(() => new SafeRegExp('(?!x)')).toThrow(SyntaxError);
  });

  it('is an ajv regExp engine', () => {
    expect(safeRegExpEngine('^[a-z]+$', 'u').test('abc')).toBe(true);
    expect(safeRegExpEngine.code).toBe('SafeRegExp');
  });
});
