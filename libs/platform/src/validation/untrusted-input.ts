import type { FieldIssue } from './field-issue.js';

/** Deeper input is refused: no request of the API needs it, and recursive code downstream would overflow. */
export const MAX_INPUT_DEPTH = 64;

const MAX_ISSUES = 10;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored or trusted as text, if it cannot: NUL (PostgreSQL text cannot hold it) or a lone surrogate (not Unicode). */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (it holds a lone surrogate)';
  return undefined;
}

interface Node {
  readonly value: unknown;
  readonly key: PropertyKey | undefined;
  readonly parent: Node | undefined;
  readonly depth: number;
}

function pathOf(node: Node, extraKey?: string): string {
  const keys: PropertyKey[] = extraKey === undefined ? [] : [extraKey];
  for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) keys.unshift(at.key);
  return keys.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/**
 * What no field of untrusted input (a JSON body, a query string, a path) may hold, wherever it is:
 * NUL characters and lone surrogates in strings or keys, `__proto__` keys (object spreading and
 * schema parsing would drop them silently, or worse), and nesting deeper than MAX_INPUT_DEPTH.
 * Iterative, so no input can overflow the stack; linear in the input's size.
 */
export function untrustedInputIssues(input: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Node[] = [{ value: input, key: undefined, parent: undefined, depth: 0 }];
  while (stack.length && issues.length < MAX_ISSUES) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push({ field: pathOf(node) || '(root)', message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (node.depth >= MAX_INPUT_DEPTH) {
      issues.push({ field: pathOf(node) || '(root)', message: `nests deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index], key: index, parent: node, depth: node.depth + 1 });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!;
      if (key === '__proto__') {
        issues.push({ field: pathOf(node, key), message: 'is not an allowed key' });
        continue;
      }
      const problem = textProblem(key);
      if (problem) {
        issues.push({ field: pathOf(node, key), message: `the key ${problem}` });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node, depth: node.depth + 1 });
    }
  }
  return issues;
}

// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const MAY_NEED_CLEANING = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text a tool sent, made storable: NUL characters removed (PostgreSQL text cannot hold them, and a
 * GitHub issue body can) and lone surrogates replaced with U+FFFD. Returns the same string when
 * there is nothing to clean (the common case costs one regular-expression test).
 */
export function storableText(value: string): string {
  if (!MAY_NEED_CLEANING.test(value)) return value;
  // eslint-disable-next-line no-control-regex -- NUL is what this removes
  return value.replace(/\u0000/g, '').replace(LONE_SURROGATES, '\uFFFD');
}
