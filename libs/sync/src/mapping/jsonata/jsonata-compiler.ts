import type jsonata from 'jsonata';
import { GUARDRAILS, LIMITS } from '../limits.js';

/**
 * Compiles JSONata expressions into plain JavaScript closures for the subset that real mappings
 * use: paths (through arrays, with filters and index predicates), literals, arithmetic,
 * comparisons, `&`, `and`/`or`, `in`, conditionals (`?:`, `??`), blocks with variables, array and
 * object constructors, ranges, and the string, numeric, boolean and array functions listed in
 * FUNCTIONS, including `$map` and `$filter` with inline lambdas.
 *
 * The interpreter awaits at every step of every evaluation; a closure does not, which makes a
 * typical mapping 10 to 30 times faster. Semantics are JSONata's own (sequences, singleton
 * unwrapping, flattening, undefined propagation), ported from its evaluator. Whatever is not
 * handled exactly bails out: at compile time (the expression is not compiled and the interpreter
 * evaluates it) or at run time by throwing BAIL for one evaluation (a type JSONata would reject,
 * a limit it would enforce), after which the caller evaluates that expression with the
 * interpreter, which gives JSONata's own result or error. A spec checks both agree.
 */

/**
 * Thrown when one evaluation leaves the compiled subset; the caller re-evaluates with JSONata.
 * One instance, made once: throwing it captures no stack.
 */
export const BAIL: Error = Object.freeze(new Error('outside the compiled subset of JSONata'));

/** Thrown when an evaluation runs past its deadline: JSONata's time guardrail, D1012. */
export class CompiledTimeout extends Error {
  readonly code = 'D1012';
  constructor() {
    super(`Evaluation timeout after ${GUARDRAILS.timeout} milliseconds. Check for infinite loop`);
  }
}

export type CompiledFunction = (input: unknown) => unknown;

/** A node of JSONata's AST (after its post-parse stage), read loosely: the typings miss several kinds. */
interface Node {
  readonly type: string;
  readonly value?: unknown;
  readonly [key: string]: unknown;
}
type Fn = (input: unknown, frame: Frame) => unknown;

/** Evaluation state: the root input, variable slots, and the deadline checked inside loops. */
interface Frame {
  readonly root: unknown;
  readonly slots: unknown[];
  readonly deadline: number;
  ticks: number;
}

interface Scope {
  readonly names: Map<string, number>;
  readonly parent: Scope | undefined;
  readonly slots: { count: number };
}

/** A closure for the expression, or undefined when it is outside the compiled subset. */
export function compileJsonata(expression: jsonata.Expression): CompiledFunction | undefined {
  const ast = expression.ast() as unknown as Node;
  if (depth(ast) > GUARDRAILS.stack / 4) return undefined;
  const counter = { count: 0 };
  let fn: Fn | undefined;
  try {
    fn = compile(ast, { names: new Map(), parent: undefined, slots: counter });
  } catch {
    return undefined;
  }
  if (!fn) return undefined;
  const compiled = fn;
  return (input) => {
    // An array as the whole input is wrapped by JSONata in a way this compiler does not model.
    if (Array.isArray(input)) throw BAIL;
    const frame: Frame = {
      root: input,
      slots: new Array<unknown>(counter.count),
      deadline: Date.now() + GUARDRAILS.timeout,
      ticks: 0,
    };
    return compiled(input, frame);
  };
}

/** Functions whose cost is linear in their arguments' size and whose result is no larger. */
const LINEAR_FUNCTIONS = new Set([
  'string',
  'length',
  'lowercase',
  'uppercase',
  'trim',
  'substring',
  'substringBefore',
  'substringAfter',
  'contains',
  'split',
  'join',
  'number',
  'abs',
  'floor',
  'ceil',
  'round',
  'boolean',
  'not',
  'exists',
  'count',
  'sum',
  'max',
  'min',
  'append',
]);

/**
 * True when the expression, compiled, costs time linear in the item's size and builds nothing
 * larger than the item times the expression: literals, paths (index predicates only),
 * operators other than ranges, conditionals, constructors and LINEAR_FUNCTIONS; no lambdas, no
 * variables, no regular expressions, no `$pad` or `$replace`. Such an expression cannot stall or
 * bloat whatever runs it, so a resource made only of them may be evaluated without a worker thread.
 */
export function isLinear(expression: jsonata.Expression): boolean {
  return compileJsonata(expression) !== undefined && linearNode(expression.ast() as unknown as Node);
}

function linearNode(node: Node): boolean {
  if (node['group'] || node['tuple'] || node['focus'] || node['index'] || node['ancestor']) return false;
  const predicates = [
    ...((node['predicate'] as Array<{ expr: Node }> | undefined) ?? []),
    ...((node['stages'] as Array<{ expr: Node }> | undefined) ?? []),
  ];
  if (predicates.some((p) => p.expr.type !== 'number')) return false;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'name':
      return true;
    case 'variable':
      return node.value === '' || node.value === '$';
    case 'path':
      return (node['steps'] as Node[]).every(linearNode);
    case 'binary':
      return node.value !== '..' && linearNode(node['lhs'] as Node) && linearNode(node['rhs'] as Node);
    case 'unary':
      if (node.value === '-') return linearNode(node['expression'] as Node);
      if (node.value === '[') return (node['expressions'] as Node[]).every(linearNode);
      return (node['lhs'] as Array<[Node, Node]>).every(([key, value]) => linearNode(key) && linearNode(value));
    case 'condition':
      return [node['condition'], node['then'], node['else']].every((part) => part === undefined || linearNode(part as Node));
    case 'function': {
      const procedure = node['procedure'] as Node;
      return (
        procedure.type === 'variable' &&
        LINEAR_FUNCTIONS.has(procedure.value as string) &&
        (node['arguments'] as Node[]).every(linearNode)
      );
    }
    default:
      return false;
  }
}

function depth(node: unknown, level = 0): number {
  if (level > GUARDRAILS.stack) return level;
  if (!node || typeof node !== 'object') return level;
  let deepest = level;
  for (const value of Object.values(node)) {
    if (value && typeof value === 'object') deepest = Math.max(deepest, depth(value, level + 1));
  }
  return deepest;
}

// ---------------------------------------------------------------------------------------------
// Sequences, as JSONata's evaluator keeps them.

type Sequence = unknown[] & { sequence?: boolean; keepSingleton?: boolean; cons?: boolean };

function sequence(...items: unknown[]): Sequence {
  const result = items as Sequence;
  result.sequence = true;
  return result;
}

function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence).sequence === true;
}

/** What JSONata's evaluate() does to every node's result: empty → undefined, singleton → its item. */
function settle(result: unknown, keepArray: boolean): unknown {
  if (isSequence(result)) {
    if (keepArray) result.keepSingleton = true;
    if (result.length === 0) return undefined;
    if (result.length === 1) return result.keepSingleton ? result : result[0];
  }
  return result;
}

function push(target: Sequence, value: unknown): void {
  if (target.length >= GUARDRAILS.sequence) throw BAIL; // JSONata: D2015
  target.push(value);
}

function tick(frame: Frame): void {
  if ((++frame.ticks & 1023) === 0 && Date.now() > frame.deadline) throw new CompiledTimeout();
}

// ---------------------------------------------------------------------------------------------
// Values, as JSONata's functions see them.

function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) throw BAIL; // JSONata: D1001
  return true;
}

function isFunctionValue(value: unknown): boolean {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null && ('_jsonata_lambda' in value || '_jsonata_function' in value))
  );
}

/** JSONata's effective boolean value ($boolean). */
function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return toBoolean(value[0]);
    return value.length > 1 && value.some((v) => toBoolean(v));
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (value !== null && typeof value === 'object') {
    if (isFunctionValue(value)) return false;
    return Object.keys(value).length > 0;
  }
  return value === true;
}

/** JSONata's $string: numbers to 15 significant digits, structures as compact JSON. */
function toText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isFunctionValue(value)) throw BAIL;
  if (typeof value === 'number' && !Number.isFinite(value)) throw BAIL; // JSONata: D3001
  const text = JSON.stringify(value, (_key, val: unknown) => {
    if (val !== undefined && val !== null && isNumeric(val)) return Number.isInteger(val) ? val : Number(val.toPrecision(15));
    if (val && isFunctionValue(val)) throw BAIL;
    return val;
  });
  return text;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const left = Object.getOwnPropertyNames(a).sort();
  const right = Object.getOwnPropertyNames(b).sort();
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) return false;
  for (const key of left) {
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** JSONata's lookup of a key: own properties only, mapped over arrays and flattened one level. */
function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = sequence();
    for (const element of input) {
      const value = lookup(element, key);
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) push(result, v);
      else push(result, value);
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, key) && !isFunctionValue(input)) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

function append(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const left = Array.isArray(a) ? a : sequence(a);
  const right = Array.isArray(b) ? b : [b];
  if (left.length + right.length > GUARDRAILS.sequence) throw BAIL; // JSONata: D2015
  return left.concat(right);
}

// ---------------------------------------------------------------------------------------------
// The compiler.

function compile(node: Node, scope: Scope): Fn | undefined {
  const base = compileBase(node, scope);
  if (!base) return undefined;
  if (node.type !== 'path' && node['group']) return undefined;
  const predicates = node['predicate'] as Array<{ expr: Node }> | undefined;
  let fn = base;
  if (predicates?.length) {
    const filters: Array<(input: unknown, frame: Frame) => unknown> = [];
    for (const predicate of predicates) {
      const filter = compileFilter(predicate.expr, scope);
      if (!filter) return undefined;
      filters.push(filter);
    }
    const inner = fn;
    fn = (input, frame) => {
      let result = inner(input, frame);
      for (const filter of filters) result = filter(result, frame);
      return result;
    };
  }
  const keepArray = node['keepArray'] === true;
  const core = fn;
  return (input, frame) => settle(core(input, frame), keepArray);
}

function compileBase(node: Node, scope: Scope): Fn | undefined {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value: unknown = node.value;
      return () => value;
    }
    case 'path':
      return compilePath(node, scope);
    case 'name': {
      const key = node.value as string;
      return (input) => lookup(input, key);
    }
    case 'variable':
      return compileVariable(node, scope);
    case 'binary':
      return compileBinary(node, scope);
    case 'unary':
      return compileUnary(node, scope);
    case 'condition':
      return compileCondition(node, scope);
    case 'block':
      return compileBlock(node, scope);
    case 'function':
      return compileCall(node, scope);
    case 'lambda':
      // A call in tail position of a lambda body, wrapped by JSONata's tail-call optimisation: the
      // trampoline evaluates it right away, so it compiles to the call itself.
      if (node['thunk'] === true && (node['arguments'] as Node[] | undefined)?.length === 0)
        return compile(node['body'] as Node, scope);
      return undefined;
    default:
      return undefined;
  }
}

function compileVariable(node: Node, scope: Scope): Fn | undefined {
  const name = node.value as string;
  if (name === '') return (input) => input;
  if (name === '$') return (_input, frame) => frame.root;
  const slot = resolve(scope, name);
  if (slot === undefined) return undefined; // a function used as a value, or an unbound variable
  return (_input, frame) => frame.slots[slot];
}

function resolve(scope: Scope | undefined, name: string): number | undefined {
  for (let s = scope; s; s = s.parent) {
    const slot = s.names.get(name);
    if (slot !== undefined) return slot;
  }
  return undefined;
}

function compilePath(node: Node, scope: Scope): Fn | undefined {
  if (node['group'] || node['tuple']) return undefined;
  const steps = node['steps'] as Node[];
  const compiled: Array<{ fn: Fn; stages: Array<(input: unknown, frame: Frame) => unknown>; cons: boolean }> = [];
  for (const [index, step] of steps.entries()) {
    if (step['tuple'] || step['focus'] || step['index'] || step['ancestor'] || step.type === 'sort') return undefined;
    if (step.type === 'wildcard' || step.type === 'descendant' || step.type === 'parent') return undefined;
    const fn = compile(step, scope);
    if (!fn) return undefined;
    const stages: Array<(input: unknown, frame: Frame) => unknown> = [];
    for (const stage of (step['stages'] as Array<{ type: string; expr: Node }> | undefined) ?? []) {
      if (stage.type !== 'filter') return undefined;
      const filter = compileFilter(stage.expr, scope);
      if (!filter) return undefined;
      stages.push(filter);
    }
    compiled.push({ fn, stages, cons: index === 0 && step['consarray'] === true });
  }
  const firstIsVariable = steps[0]?.type === 'variable';
  const keepSingletonArray = node['keepSingletonArray'] === true;
  const general: Fn = (input, frame) => {
    let inputSequence: unknown[] = Array.isArray(input) && !firstIsVariable ? input : sequence(input);
    let result: unknown[] | undefined;
    for (let i = 0; i < compiled.length; i++) {
      const step = compiled[i]!;
      if (step.cons) {
        const value = step.fn(inputSequence, frame);
        // An array constructor's result is an array; anything else here is outside the subset.
        if (!Array.isArray(value)) throw BAIL;
        result = value;
      } else {
        result = evaluateStep(step.fn, step.stages, inputSequence, frame, i === compiled.length - 1);
      }
      if (result.length === 0) break;
      inputSequence = result;
    }
    if (keepSingletonArray) {
      if (!result) throw BAIL;
      let kept = result as Sequence;
      if (kept.cons && !isSequence(kept)) kept = sequence(kept);
      kept.keepSingleton = true;
      return kept;
    }
    return result;
  };
  // The common case, a chain of names through objects, without building sequences: the same
  // result as the general walk until an array is met, where the general walk takes over.
  const names = steps.every(
    (step) => step.type === 'name' && !step['stages'] && !step['keepArray'] && !step['predicate'] && !step['group'],
  )
    ? steps.map((step) => step.value as string)
    : undefined;
  if (!names || keepSingletonArray) return general;
  return (input, frame) => {
    let value = input;
    for (const key of names) {
      if (Array.isArray(value)) return general(input, frame);
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}

function evaluateStep(
  fn: Fn,
  stages: ReadonlyArray<(input: unknown, frame: Frame) => unknown>,
  input: readonly unknown[],
  frame: Frame,
  lastStep: boolean,
): unknown[] {
  const results = sequence();
  for (const item of input) {
    tick(frame);
    let value = fn(item, frame);
    for (const stage of stages) value = stage(value, frame);
    if (value !== undefined) push(results, value);
  }
  if (lastStep && results.length === 1 && Array.isArray(results[0]) && !isSequence(results[0])) return results[0] as unknown[];
  const flattened = sequence();
  for (const value of results) {
    if (!Array.isArray(value) || (value as Sequence).cons) push(flattened, value);
    else for (const v of value) push(flattened, v);
  }
  return flattened;
}

/** A predicate `[…]`: an index (from the end when negative), indexes, or a boolean per item. */
function compileFilter(predicate: Node, scope: Scope): ((input: unknown, frame: Frame) => unknown) | undefined {
  if (predicate.type === 'number') {
    const literal = Math.floor(predicate.value as number);
    return (input) => {
      const items: unknown[] = Array.isArray(input) ? input : sequence(input);
      const index = literal < 0 ? items.length + literal : literal;
      const item = items[index];
      if (item === undefined) return sequence();
      return Array.isArray(item) ? (item as unknown[]) : sequence(item);
    };
  }
  const test = compile(predicate, scope);
  if (!test) return undefined;
  return (input, frame) => {
    const items = Array.isArray(input) ? input : sequence(input);
    const results = sequence();
    for (let index = 0; index < items.length; index++) {
      tick(frame);
      const item: unknown = items[index];
      let value = test(item, frame);
      if (isNumeric(value)) value = [value];
      if (Array.isArray(value) && value.every((v) => isNumeric(v))) {
        for (const position of value) {
          let at = Math.floor(position);
          if (at < 0) at = items.length + at;
          if (at === index) push(results, item);
        }
      } else if (toBoolean(value)) {
        push(results, item);
      }
    }
    return results;
  };
}

function compileBinary(node: Node, scope: Scope): Fn | undefined {
  const lhs = compile(node['lhs'] as Node, scope);
  const rhs = compile(node['rhs'] as Node, scope);
  if (!lhs || !rhs) return undefined;
  switch (node.value as string) {
    case 'and':
      return (input, frame) => (toBoolean(lhs(input, frame)) ?? false) && (toBoolean(rhs(input, frame)) ?? false);
    case 'or':
      return (input, frame) => (toBoolean(lhs(input, frame)) ?? false) || (toBoolean(rhs(input, frame)) ?? false);
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const op = node.value as '+' | '-' | '*' | '/' | '%';
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        if ((a !== undefined && !isNumeric(a)) || (b !== undefined && !isNumeric(b))) throw BAIL; // T2001, T2002
        if (a === undefined || b === undefined) return undefined;
        const x = a;
        const y = b;
        return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
      };
    }
    case '=':
    case '!=': {
      const negate = node.value === '!=';
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        if (a === undefined || b === undefined) return false;
        return negate ? !deepEqual(a, b) : deepEqual(a, b);
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = node.value as '<' | '<=' | '>' | '>=';
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        const comparable = (v: unknown) => v === undefined || typeof v === 'string' || typeof v === 'number';
        if (!comparable(a) || !comparable(b)) throw BAIL; // T2010
        if (a === undefined || b === undefined) return undefined;
        if (typeof a !== typeof b) throw BAIL; // T2009
        const x = a as number;
        const y = b as number;
        return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
      };
    }
    case '&':
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        return (a === undefined ? '' : toText(a)!) + (b === undefined ? '' : toText(b)!);
      };
    case 'in':
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        if (a === undefined || b === undefined) return false;
        return (Array.isArray(b) ? b : [b]).some((v) => v === a);
      };
    case '..':
      return (input, frame) => {
        const a = lhs(input, frame);
        const b = rhs(input, frame);
        if ((a !== undefined && !Number.isInteger(a)) || (b !== undefined && !Number.isInteger(b))) throw BAIL; // T2003, T2004
        if (a === undefined || b === undefined) return undefined;
        const from = a as number;
        const to = b as number;
        if (from > to) return undefined;
        if (to - from + 1 > GUARDRAILS.sequence) throw BAIL; // D2014, D2015
        const result = sequence();
        for (let n = from; n <= to; n++) {
          tick(frame);
          result.push(n);
        }
        return result;
      };
    default:
      return undefined;
  }
}

function compileUnary(node: Node, scope: Scope): Fn | undefined {
  if (node.value === '-') {
    const operand = compile(node['expression'] as Node, scope);
    if (!operand) return undefined;
    return (input, frame) => {
      const value = operand(input, frame);
      if (value === undefined) return undefined;
      if (!isNumeric(value)) throw BAIL; // D1002
      return -value;
    };
  }
  if (node.value === '[') {
    const items: Array<{ fn: Fn; nested: boolean }> = [];
    for (const item of node['expressions'] as Node[]) {
      const fn = compile(item, scope);
      if (!fn) return undefined;
      items.push({ fn, nested: item.value === '[' });
    }
    const cons = node['consarray'] === true;
    return (input, frame) => {
      let result: unknown[] = [];
      for (const item of items) {
        const value = item.fn(input, frame);
        if (value === undefined) continue;
        if (item.nested) result.push(value);
        else result = append(result, value) as unknown[];
      }
      if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
      return result;
    };
  }
  if (node.value === '{') {
    const pairs: Array<[string, Fn]> = [];
    for (const [key, value] of node['lhs'] as Array<[Node, Node]>) {
      if (key.type !== 'string' || typeof key.value !== 'string') return undefined;
      if (key.value === '_jsonata_lambda' || key.value === '_jsonata_function') return undefined;
      if (pairs.some(([k]) => k === key.value)) return undefined; // D1009
      const fn = compile(value, scope);
      if (!fn) return undefined;
      pairs.push([key.value, fn]);
    }
    return (input, frame) => {
      // Over an array, an object constructor groups; only a single context is compiled.
      if (Array.isArray(input)) throw BAIL;
      const result = Object.create(null) as Record<string, unknown>;
      for (const [key, fn] of pairs) {
        const value = fn(input, frame);
        if (value !== undefined) result[key] = value;
      }
      return result;
    };
  }
  return undefined;
}

function compileCondition(node: Node, scope: Scope): Fn | undefined {
  const condition = compile(node['condition'] as Node, scope);
  const then = compile(node['then'] as Node, scope);
  const otherwise = node['else'] === undefined ? () => undefined : compile(node['else'] as Node, scope);
  if (!condition || !then || !otherwise) return undefined;
  return (input, frame) => (toBoolean(condition(input, frame)) ? then(input, frame) : otherwise(input, frame));
}

function compileBlock(node: Node, scope: Scope): Fn | undefined {
  const inner: Scope = { names: new Map(), parent: scope, slots: scope.slots };
  const parts: Fn[] = [];
  for (const expression of node['expressions'] as Node[]) {
    if (expression.type === 'bind') {
      const target = expression['lhs'] as Node;
      const value = expression['rhs'] as Node;
      if (value.type === 'lambda' || (value.type === 'function' && (value['procedure'] as Node | undefined)?.type === 'lambda'))
        return undefined;
      const fn = compile(value, inner);
      if (!fn) return undefined;
      const slot = inner.slots.count++;
      inner.names.set(target.value as string, slot);
      parts.push((input, frame) => {
        const result = fn(input, frame);
        if (isFunctionValue(result)) throw BAIL;
        frame.slots[slot] = result;
        return result;
      });
    } else {
      const fn = compile(expression, inner);
      if (!fn) return undefined;
      parts.push(fn);
    }
  }
  return (input, frame) => {
    let result: unknown;
    for (const part of parts) result = part(input, frame);
    return result;
  };
}

// ---------------------------------------------------------------------------------------------
// Function calls: JSONata's built-ins, with its signature checks (any mismatch bails).

interface Lambda {
  readonly params: readonly number[];
  readonly body: Fn;
}

type Builtin = (args: unknown[], frame: Frame, lambda: Lambda | undefined, input: unknown) => unknown;

function compileCall(node: Node, scope: Scope): Fn | undefined {
  const procedure = node['procedure'] as Node;
  if (procedure.type !== 'variable' || typeof procedure.value !== 'string') return undefined;
  const name = procedure.value;
  if (resolve(scope, name) !== undefined) return undefined; // a variable holding a function
  const builtin = FUNCTIONS[name];
  const args = node['arguments'] as Node[];
  if (!builtin || args.length < builtin.min || args.length > builtin.max) return undefined;
  let lambda: Lambda | undefined;
  const compiled: Fn[] = [];
  for (const [index, arg] of args.entries()) {
    if (arg.type === 'lambda') {
      if (!builtin.lambdaAt || index !== builtin.lambdaAt || arg['signature']) return undefined;
      const params = arg['arguments'] as Node[];
      if (params.length > 3) return undefined;
      const inner: Scope = { names: new Map(), parent: scope, slots: scope.slots };
      const slots = params.map((param) => {
        const slot = inner.slots.count++;
        inner.names.set(param.value as string, slot);
        return slot;
      });
      const body = compile(arg['body'] as Node, inner);
      if (!body) return undefined;
      lambda = { params: slots, body };
      compiled.push(() => undefined);
      continue;
    }
    if (arg.type === 'regex') return undefined;
    const fn = compile(arg, scope);
    if (!fn) return undefined;
    compiled.push(fn);
  }
  if (builtin.lambdaAt !== undefined && !lambda) return undefined;
  const run = builtin.run;
  return (input, frame) => {
    const values = compiled.map((fn) => fn(input, frame));
    return run(values, frame, lambda, input);
  };
}

interface BuiltinSpec {
  readonly min: number;
  readonly max: number;
  readonly lambdaAt?: number;
  readonly run: Builtin;
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || typeof value === 'string') return value;
  throw BAIL; // T0410
};
const number = (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  throw BAIL;
};
const requiredNumber = (value: unknown): number => {
  if (typeof value === 'number') return value;
  throw BAIL;
};
const asArray = (value: unknown): unknown[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];
const arrayOf = (value: unknown, type: 'string' | 'number'): unknown[] | undefined => {
  const array = asArray(value);
  if (array?.some((v) => typeof v !== type)) throw BAIL; // T0412
  return array;
};
const codePoints = (value: string) => Array.from(value);

/** `$max`/`$min`: undefined for nothing, without spreading a large array into a call. */
function extreme(value: unknown, pick: (a: number, b: number) => number): number | undefined {
  const numbers = arrayOf(value, 'number') as number[] | undefined;
  return numbers?.length ? numbers.reduce((a, b) => pick(a, b)) : undefined;
}

function callLambda(lambda: Lambda, frame: Frame, input: unknown, args: unknown[]): unknown {
  for (let i = 0; i < lambda.params.length; i++) frame.slots[lambda.params[i]!] = args[i];
  return lambda.body(input, frame);
}

function round(value: number, precision: number | undefined): number {
  let arg = value;
  if (precision) {
    const [mantissa, exponent] = arg.toString().split('e');
    arg = +`${mantissa}e${exponent ? +exponent + precision : precision}`;
  }
  let result = Math.round(arg);
  if (Math.abs(result - arg) === 0.5 && Math.abs(result % 2) === 1) result -= 1;
  if (precision) {
    const [mantissa, exponent] = result.toString().split('e');
    result = +`${mantissa}e${exponent ? +exponent - precision : -precision}`;
  }
  return Object.is(result, -0) ? 0 : result;
}

const FUNCTIONS: Readonly<Record<string, BuiltinSpec>> = {
  string: {
    min: 1,
    max: 1,
    run: ([value]) => toText(value),
  },
  length: { min: 1, max: 1, run: ([value]) => (text(value) === undefined ? undefined : codePoints(value as string).length) },
  lowercase: { min: 1, max: 1, run: ([value]) => text(value)?.toLowerCase() },
  uppercase: { min: 1, max: 1, run: ([value]) => text(value)?.toUpperCase() },
  trim: {
    min: 1,
    max: 1,
    run: ([value]) => {
      const str = text(value);
      if (str === undefined) return undefined;
      let result = str.replace(/[ \t\n\r]+/gm, ' ');
      if (result.charAt(0) === ' ') result = result.substring(1);
      if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
      return result;
    },
  },
  substring: {
    min: 2,
    max: 3,
    run: ([value, startArg, lengthArg]) => {
      const str = text(value);
      let start = requiredNumber(startArg);
      const length = number(lengthArg);
      if (str === undefined) return undefined;
      const chars = codePoints(str);
      if (chars.length + start < 0) start = 0;
      if (length !== undefined) {
        if (length <= 0) return '';
        const end = start >= 0 ? start + length : chars.length + start + length;
        return chars.slice(start, end).join('');
      }
      return chars.slice(start).join('');
    },
  },
  substringBefore: {
    min: 2,
    max: 2,
    run: ([value, chars]) => {
      const str = text(value);
      const token = text(chars);
      if (token === undefined) throw BAIL;
      if (str === undefined) return undefined;
      const at = str.indexOf(token);
      return at > -1 ? str.substring(0, at) : str;
    },
  },
  substringAfter: {
    min: 2,
    max: 2,
    run: ([value, chars]) => {
      const str = text(value);
      const token = text(chars);
      if (token === undefined) throw BAIL;
      if (str === undefined) return undefined;
      const at = str.indexOf(token);
      return at > -1 ? str.substring(at + token.length) : str;
    },
  },
  contains: {
    min: 2,
    max: 2,
    run: ([value, token]) => {
      const str = text(value);
      if (typeof token !== 'string') throw BAIL;
      return str === undefined ? undefined : str.includes(token);
    },
  },
  split: {
    min: 2,
    max: 3,
    run: ([value, separator, limitArg]) => {
      const str = text(value);
      if (typeof separator !== 'string') throw BAIL;
      const limit = number(limitArg);
      if (str === undefined) return undefined;
      if (limit !== undefined && limit < 0) throw BAIL;
      if (limit === 0) return [];
      return str.split(separator, limit);
    },
  },
  join: {
    min: 1,
    max: 2,
    run: ([values, separator]) => {
      const strs = arrayOf(values, 'string') as string[] | undefined;
      const sep = text(separator);
      if (strs === undefined) return undefined;
      return strs.join(sep ?? '');
    },
  },
  replace: {
    min: 3,
    max: 4,
    run: ([value, pattern, replacement, limitArg]) => {
      const str = text(value);
      if (typeof pattern !== 'string' || typeof replacement !== 'string' || pattern === '') throw BAIL;
      const limit = number(limitArg);
      if (str === undefined) return undefined;
      if (limit !== undefined && limit < 0) throw BAIL;
      let result = '';
      let position = 0;
      let count = 0;
      if (limit === undefined || limit > 0) {
        let index = str.indexOf(pattern, position);
        while (index !== -1 && (limit === undefined || count < limit)) {
          result += str.substring(position, index) + replacement;
          position = index + pattern.length;
          count++;
          index = str.indexOf(pattern, position);
        }
        result += str.substring(position);
      } else {
        result = str;
      }
      return result;
    },
  },
  pad: {
    min: 2,
    max: 3,
    run: ([value, widthArg, charArg]) => {
      const str = text(value);
      const width = Math.trunc(requiredNumber(widthArg));
      let char = text(charArg);
      if (Math.abs(width) > LIMITS.stringLength) throw BAIL;
      if (str === undefined) return undefined;
      if (char === undefined || char.length === 0) char = ' ';
      const padLength = Math.abs(width) - codePoints(str).length;
      if (padLength <= 0) return str;
      let padding = new Array(padLength + 1).join(char);
      if (char.length > 1) padding = codePoints(padding).slice(0, padLength).join('');
      return width > 0 ? str + padding : padding + str;
    },
  },
  number: {
    min: 1,
    max: 1,
    run: ([value]) => {
      if (value === undefined) return undefined;
      if (typeof value === 'number') return value;
      if (value === true) return 1;
      if (value === false) return 0;
      if (typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(value) && Number.isFinite(Number(value))) {
        return parseFloat(value);
      }
      throw BAIL; // hexadecimal and friends, or D3030
    },
  },
  abs: { min: 1, max: 1, run: ([value]) => (number(value) === undefined ? undefined : Math.abs(value as number)) },
  floor: { min: 1, max: 1, run: ([value]) => (number(value) === undefined ? undefined : Math.floor(value as number)) },
  ceil: { min: 1, max: 1, run: ([value]) => (number(value) === undefined ? undefined : Math.ceil(value as number)) },
  round: {
    min: 1,
    max: 2,
    run: ([value, precision]) => {
      const n = number(value);
      const p = number(precision);
      return n === undefined ? undefined : round(n, p);
    },
  },
  boolean: {
    min: 1,
    max: 1,
    run: ([value]) => {
      if (isFunctionValue(value)) throw BAIL;
      return toBoolean(value);
    },
  },
  not: {
    min: 1,
    max: 1,
    run: ([value]) => {
      if (isFunctionValue(value)) throw BAIL;
      return value === undefined ? undefined : !toBoolean(value);
    },
  },
  exists: { min: 1, max: 1, run: ([value]) => value !== undefined },
  count: { min: 1, max: 1, run: ([value]) => asArray(value)?.length ?? 0 },
  sum: {
    min: 1,
    max: 1,
    run: ([value]) => {
      const numbers = arrayOf(value, 'number') as number[] | undefined;
      return numbers?.reduce((total, n) => total + n, 0);
    },
  },
  max: { min: 1, max: 1, run: ([value]) => extreme(value, Math.max) },
  min: { min: 1, max: 1, run: ([value]) => extreme(value, Math.min) },
  append: {
    min: 2,
    max: 2,
    run: ([a, b]) => {
      if (isFunctionValue(a) || isFunctionValue(b)) throw BAIL;
      return append(a, b);
    },
  },
  map: {
    min: 2,
    max: 2,
    lambdaAt: 1,
    run: ([values], frame, lambda, input) => {
      const array = asArray(values);
      if (array === undefined) return undefined;
      const result = sequence();
      for (let i = 0; i < array.length; i++) {
        tick(frame);
        const value = callLambda(lambda!, frame, input, [array[i], i, array]);
        if (value !== undefined) push(result, value);
      }
      return result;
    },
  },
  filter: {
    min: 2,
    max: 2,
    lambdaAt: 1,
    run: ([values], frame, lambda, input) => {
      const array = asArray(values);
      if (array === undefined) return undefined;
      const result = sequence();
      for (let i = 0; i < array.length; i++) {
        tick(frame);
        if (toBoolean(callLambda(lambda!, frame, input, [array[i], i, array]))) push(result, array[i]);
      }
      return result;
    },
  },
};
