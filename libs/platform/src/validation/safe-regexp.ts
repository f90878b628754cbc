import { RE2JS } from 're2js';

// Regular expressions written by tenants (mapping expressions, blueprint `pattern`s) run on RE2
// (re2js, a pure-JavaScript port): matching time is linear in the input, whatever the pattern, so
// no pattern can stall a process the way a backtracking engine can (`/^(a+)+$/` on 31 characters
// took 47 s in V8). RE2 has no lookarounds and no backreferences: such patterns are refused with
// a message that says so, instead of being run on a backtracking engine.

/** Why a pattern cannot run on the linear-time engine, or undefined when it can. */
export function unsafePatternReason(source: string, flags = ''): string | undefined {
  try {
    compile(source, flags);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

/**
 * A drop-in for the parts of RegExp that matchers use (`exec`, `test`, `lastIndex`), backed by RE2.
 * Accepts JavaScript syntax (`\u0041`, `(?<name>…)`) and the flags i, m and s; `g` and `y` only
 * govern `lastIndex`, as for RegExp. Throws SyntaxError for what RE2 cannot run.
 */
export class SafeRegExp {
  readonly source: string;
  readonly flags: string;
  readonly global: boolean;
  lastIndex = 0;
  private readonly compiled: RE2JS;

  constructor(pattern: string | RegExp | SafeRegExp, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.global = this.flags.includes('g') || this.flags.includes('y');
    try {
      this.compiled = compile(this.source, this.flags);
    } catch (error) {
      throw new SyntaxError(`Invalid regular expression /${this.source}/: ${describe(error)}`);
    }
  }

  exec(input: string): RegExpExecArray | null {
    const start = this.global ? this.lastIndex : 0;
    if (start > input.length) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.compiled.matcher(input);
    if (!matcher.find(start)) {
      if (this.global) this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? undefined);
    const result = Object.assign(groups, { index: matcher.start(), input, groups: undefined }) as unknown as RegExpExecArray;
    if (this.global) this.lastIndex = matcher.end();
    return result;
  }

  test(input: string): boolean {
    if (this.global) return this.exec(input) !== null;
    return this.compiled.test(input);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

const CACHE_LIMIT = 500;
const cache = new Map<string, RE2JS>();

/** Compiled patterns are cached (bounded): mappings evaluate the same regex literal per item. */
function compile(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const unsupported = unsupportedSyntax(source);
  if (unsupported) throw new Error(unsupported);
  let re2Flags = 0;
  for (const flag of flags) {
    if (flag === 'i') re2Flags |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 'm') re2Flags |= RE2JS.MULTILINE;
    else if (flag === 's') re2Flags |= RE2JS.DOTALL;
    else if (!'gyud'.includes(flag)) throw new Error(`unsupported flag "${flag}"`);
  }
  const compiled = RE2JS.compile(RE2JS.translateRegExp(source), re2Flags);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Syntax that the JavaScript-to-RE2 translation would silently change instead of refusing. */
function unsupportedSyntax(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1];
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'backreferences (\\k<name>) need backtracking';
      if (!inClass && next !== undefined && next >= '1' && next <= '9') return 'backreferences (\\1) need backtracking';
      i++;
    } else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (!inClass && char === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') {
        return 'lookahead and lookbehind assertions need backtracking';
      }
    }
  }
  return undefined;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message.replace(/^error parsing regexp: /, '')} (patterns run on RE2, a linear-time engine: no lookarounds or backreferences)`;
}

/** ajv's `code.regExp`: JSON-schema `pattern`s compiled to SafeRegExp (ECMA-262 syntax, `u` flag). */
export const safeRegExpEngine = Object.assign((pattern: string, flags: string) => new SafeRegExp(pattern, flags), {
  code: 'SafeRegExp',
});
