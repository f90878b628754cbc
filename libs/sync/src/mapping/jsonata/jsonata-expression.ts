import jsonata from 'jsonata';
import { SafeRegExp, unsafePatternReason } from '@mooring/platform';
import { GUARDRAILS, LIMITS } from '../limits.js';

// JSONata with guardrails. Mappings are written by tenants, so every evaluation is bounded in time,
// depth and sequence size, sees only the item it maps (no bindings, no environment, no host
// functions), matches regular expressions on RE2 (linear time), and `$pad` is bounded in width.

export type CompiledExpression = jsonata.Expression;
type Node = jsonata.ExprNode;

export interface ExpressionError {
  readonly message: string;
  /** Character position in the expression where JSONata located the problem, when it knows it. */
  readonly position?: number;
  readonly token?: string;
  readonly code?: string;
}

/** Thrown (as JSONata throws, a plain object) when `$pad` would exceed LIMITS.stringLength. */
export const PAD_LIMIT_CODE = 'M0001';

export function compileExpression(source: string): CompiledExpression {
  const expression = jsonata(source, { ...GUARDRAILS, RegexEngine: SafeRegExp as unknown as RegExpConstructor });
  expression.registerFunction('pad', boundedPad, '<s-ns?:s>');
  return expression;
}

/** Compiles, or describes why not (with JSONata's position); regex literals must run on RE2. */
export function tryCompile(source: string): { expression: CompiledExpression } | { error: ExpressionError } {
  let expression: CompiledExpression;
  try {
    expression = compileExpression(source);
  } catch (error) {
    return { error: describeJsonataError(error) };
  }
  const regex = unsafeRegex(expression.ast());
  if (regex) return { error: regex };
  return { expression };
}

function unsafeRegex(node: unknown): ExpressionError | undefined {
  if (!node || typeof node !== 'object') return undefined;
  // The typings call this node type 'regexp'; JSONata's parser produces 'regex'.
  const { type, value, position } = node as { type?: string; value?: unknown; position?: number };
  if (type === 'regex' && value instanceof RegExp) {
    const reason = unsafePatternReason(value.source, value.flags);
    if (reason)
      return { message: `regular expression /${value.source}/: ${reason}`, ...(position !== undefined ? { position } : {}) };
  }
  for (const child of Object.values(node)) {
    const found = unsafeRegex(child);
    if (found) return found;
  }
  return undefined;
}

/** JSONata's `$pad`, refusing widths over LIMITS.stringLength. */
export function boundedPad(str: string | undefined, width: number, char?: string): string | undefined {
  if (Math.abs(Math.trunc(width)) > LIMITS.stringLength) {
    throw Object.assign(new Error(`$pad width ${width} exceeds the limit of ${LIMITS.stringLength} characters`), {
      code: PAD_LIMIT_CODE,
    });
  }
  if (str === undefined) return undefined;
  const fill = char === undefined || char.length === 0 ? ' ' : char;
  const padLength = Math.abs(Math.trunc(width)) - Array.from(str).length;
  if (padLength <= 0) return str;
  let padding = new Array(padLength + 1).join(fill);
  if (fill.length > 1) padding = Array.from(padding).slice(0, padLength).join('');
  return width > 0 ? str + padding : padding + str;
}

export function describeJsonataError(error: unknown): ExpressionError {
  if (error && typeof error === 'object') {
    const { message, position, token, code } = error as {
      message?: unknown;
      position?: unknown;
      token?: unknown;
      code?: unknown;
    };
    return {
      message: typeof message === 'string' && message ? message : typeof code === 'string' ? code : 'invalid expression',
      ...(typeof position === 'number' ? { position } : {}),
      ...(typeof token === 'string' ? { token } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { message: String(error) };
}

export function formatExpressionError(error: ExpressionError): string {
  const at =
    error.position !== undefined ? ` (at position ${error.position}${error.token ? `, near "${error.token}"` : ''})` : '';
  return `${error.message}${at}`;
}

/** The string when the expression is a plain string literal (e.g. `"service"`), else undefined. */
export function literalString(expression: CompiledExpression): string | undefined {
  const ast = expression.ast();
  return ast.type === 'string' && typeof ast.value === 'string' ? ast.value : undefined;
}

/** The key path of a plain path expression (`fields.comments` → ['fields', 'comments']), else undefined. */
export function plainPath(expression: CompiledExpression): string[] | undefined {
  return pathOfNode(expression.ast());
}

export function pathOfNode(node: Node): string[] | undefined {
  // The typings omit the 'path' node type that JSONata's parser produces for `a.b`.
  const type: string = node.type;
  if (type !== 'path' || !node.steps?.length) return undefined;
  const keys: string[] = [];
  for (const step of node.steps) {
    const plain = Object.keys(step).every((k) => ['type', 'value', 'position'].includes(k));
    if (step.type !== 'name' || typeof step.value !== 'string' || !plain) return undefined;
    keys.push(step.value);
  }
  return keys;
}
