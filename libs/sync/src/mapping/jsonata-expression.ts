import jsonata from 'jsonata';

// JSONata with guardrails. Mappings are written by tenants, so every evaluation is bounded in time,
// depth and sequence size, and sees only the item it maps: no bindings, no environment, no host
// functions (JSONata has none of its own beyond pure functions over its input).

/** Limits per evaluation (one item). The timeout is checked between evaluation steps. */
export const GUARDRAILS = { timeout: 1_000, stack: 500, sequence: 1_000_000 } as const;

export type CompiledExpression = jsonata.Expression;

export interface ExpressionError {
  readonly message: string;
  /** Character position in the expression where JSONata located the problem, when it knows it. */
  readonly position?: number;
  readonly token?: string;
  readonly code?: string;
}

export function compileExpression(source: string): CompiledExpression {
  return jsonata(source, { ...GUARDRAILS });
}

/** Compiles, or describes why not (with JSONata's position). */
export function tryCompile(source: string): { expression: CompiledExpression } | { error: ExpressionError } {
  try {
    return { expression: compileExpression(source) };
  } catch (error) {
    return { error: describeJsonataError(error) };
  }
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

type Node = ReturnType<CompiledExpression['ast']>;

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
