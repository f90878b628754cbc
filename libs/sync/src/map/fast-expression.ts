import { pathOfNode, type CompiledExpression } from '../mapping/jsonata-expression.js';

/**
 * Most mapping leaves are a literal (`"service"`), a plain path (`owner.login`), a comparison of
 * one with a literal (`archived = false`) or a concatenation of such (`name & " (" & env & ")"`). JSONata evaluates even these through its async
 * interpreter, one await per step; here they are evaluated directly, with JSONata's semantics for
 * the cases handled, and `FALLBACK` for anything else (e.g. a path stepping through an array,
 * where JSONata flattens sequences), which then goes to JSONata. A spec checks both agree.
 */
export const FALLBACK: unique symbol = Symbol('fallback to JSONata');
export type FastEvaluator = (item: unknown) => unknown;

export function fastEvaluator(expression: CompiledExpression): FastEvaluator | undefined {
  return fastNode(expression.ast());
}

function fastNode(ast: Node): FastEvaluator | undefined {
  const literal = literalValue(ast);
  if (literal.is) return () => literal.value;
  const path = pathOfNode(ast);
  if (path) return (item) => walk(item, path);
  if (ast.type === 'binary' && ast.value === '&' && ast.lhs && !Array.isArray(ast.lhs) && ast.rhs) {
    const left = fastNode(ast.lhs);
    const right = fastNode(ast.rhs);
    if (!left || !right) return undefined;
    // JSONata's `&` turns undefined into "" and stringifies other values with its own rules;
    // only strings are joined here.
    return (item) => {
      const l = left(item);
      const r = right(item);
      if ((l !== undefined && typeof l !== 'string') || (r !== undefined && typeof r !== 'string')) return FALLBACK;
      return (l ?? '') + (r ?? '');
    };
  }
  // The typings list no 'binary' operator values; JSONata's parser produces "=" and "!=".
  if (ast.type === 'binary' && (ast.value === '=' || ast.value === '!=') && ast.lhs && !Array.isArray(ast.lhs) && ast.rhs) {
    const lhsPath = pathOfNode(ast.lhs);
    const rhs = literalValue(ast.rhs);
    if (!lhsPath || !rhs.is) return undefined;
    const negate = ast.value === '!=';
    return (item) => {
      const value = walk(item, lhsPath);
      if (value === FALLBACK || (typeof value === 'object' && value !== null)) return FALLBACK;
      if (value === undefined) return false;
      return negate ? value !== rhs.value : value === rhs.value;
    };
  }
  return undefined;
}

type Node = ReturnType<CompiledExpression['ast']>;

function literalValue(node: Node): { is: true; value: unknown } | { is: false } {
  if (
    (node.type === 'string' || node.type === 'number' || node.type === 'value') &&
    Object.keys(node).every((k) => ['type', 'value', 'position'].includes(k))
  ) {
    return { is: true, value: node.value };
  }
  return { is: false };
}

/** JSONata's navigation of plain names through objects; arrays on the way are JSONata's business. */
function walk(item: unknown, path: readonly string[]): unknown {
  let value = item;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(value)) return FALLBACK;
    if (typeof value !== 'object' || value === null) return undefined;
    const key = path[i]!;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
