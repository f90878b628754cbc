import type { ResourceConfig } from '../mapping.schema.js';
import { keyPath } from '../field-path.js';
import { GUARDRAILS, LIMITS, type MappingErrorCode } from '../limits.js';
import { SCALAR_FIELDS, shapeEntity, type ItemOutcome, type MappingFailure, type RawEntity } from '../entity-shape.js';
import { BAIL, CompiledTimeout, compileJsonata, isLinear, type CompiledFunction } from './jsonata-compiler.js';
import {
  PAD_LIMIT_CODE,
  compileExpression,
  describeJsonataError,
  formatExpressionError,
  plainPath,
  type CompiledExpression,
} from './jsonata-expression.js';

/** One expression: JSONata's interpreter, and the compiled closure when the subset covers it. */
class Expression {
  readonly interpreted: CompiledExpression;
  readonly compiled: CompiledFunction | undefined;

  constructor(
    readonly source: string,
    readonly path: string,
    compile: boolean,
  ) {
    this.interpreted = compileExpression(source);
    this.compiled = compile ? compileJsonata(this.interpreted) : undefined;
    this.linear = this.compiled !== undefined && isLinear(this.interpreted);
  }

  /** Compiled, and linear in the item's size (see isLinear). */
  readonly linear: boolean;

  /**
   * The value, or the failure naming this expression's path: from the compiled closure when it
   * covers the item (no promise), else from JSONata's interpreter.
   */
  evaluate(item: unknown): Evaluation | Promise<Evaluation> {
    if (this.compiled) {
      try {
        return { value: this.compiled(item) };
      } catch (error) {
        if (error !== BAIL) return failure(error, this.path);
      }
    }
    return this.interpret(item);
  }

  private async interpret(item: unknown): Promise<Evaluation> {
    try {
      return { value: await this.interpreted.evaluate(item) };
    } catch (error) {
      return failure(error, this.path);
    }
  }
}

type Evaluation = { value: unknown } | MappingFailure;

interface Leaf {
  readonly expression: Expression;
  readonly group?: 'properties' | 'relations';
  readonly name: string;
}

/**
 * A resource of a JSONata mapping, ready to map items: itemsToParse expansion, the selector and
 * the entity leaves, each compiled to a closure where the compiler covers it (JSONata's
 * interpreter evaluates the others), so a failure names its own field.
 */
export class JsonataResource {
  private readonly at: string;
  private readonly selector: Expression | null;
  private readonly itemsToParse: { expression: Expression; name: string; removePath: readonly string[] | undefined } | null;
  private readonly leaves: Leaf[] = [];

  /** `compile: false` evaluates with JSONata's interpreter only (the reference the compiler is checked against). */
  constructor(resource: ResourceConfig, index: number, options: { readonly compile?: boolean } = {}) {
    const compile = options.compile ?? true;
    const at = `resources[${index}]`;
    this.at = `${at}.port.entity.mappings`;
    const query = resource.selector.query;
    this.selector = query === 'true' ? null : new Expression(query, `${at}.selector.query`, compile);
    const itemsToParse = resource.port.itemsToParse;
    if (itemsToParse) {
      const expression = new Expression(itemsToParse, `${at}.port.itemsToParse`, compile);
      this.itemsToParse = {
        expression,
        name: resource.port.itemsToParseName,
        removePath: resource.port.itemsToParseTopLevelTransform ? plainPath(expression.interpreted) : undefined,
      };
    } else {
      this.itemsToParse = null;
    }
    const mappings = resource.port.entity.mappings;
    for (const field of SCALAR_FIELDS) {
      const source = mappings[field];
      if (source !== undefined)
        this.leaves.push({ expression: new Expression(source, `${this.at}.${field}`, compile), name: field });
    }
    for (const group of ['properties', 'relations'] as const) {
      for (const [name, source] of Object.entries(mappings[group])) {
        this.leaves.push({ expression: new Expression(source, `${this.at}.${group}${keyPath(name)}`, compile), name, group });
      }
    }
  }

  /**
   * Every expression compiles to linear-time code (see isLinear) and there is no itemsToParse:
   * mapping an item cannot stall or bloat the process, so it needs no worker thread.
   */
  get linear(): boolean {
    return !this.itemsToParse && (this.selector?.linear ?? true) && this.leaves.every((leaf) => leaf.expression.linear);
  }

  /** Maps one raw item (the `item`-th of its page) into `out`: an outcome per expanded item. */
  async mapItem(raw: unknown, item: number, out: ItemOutcome[]): Promise<void> {
    const expanded = await this.expand(raw);
    if ('code' in expanded) {
      out.push({ item, outcome: 'failed', ...expanded });
      return;
    }
    for (const element of expanded.items) {
      if (this.selector) {
        let selected = this.selector.evaluate(element);
        if (selected instanceof Promise) selected = await selected;
        if ('code' in selected) {
          out.push({ item, outcome: 'failed', ...selected });
          continue;
        }
        if (selected.value === false) {
          out.push({ item, outcome: 'filtered' });
          continue;
        }
        if (selected.value !== true) {
          out.push({
            item,
            outcome: 'failed',
            code: 'INVALID_ENTITY',
            reason: `the selector must evaluate to true or false, not ${describe(selected.value)}`,
            field: this.selector.path,
          });
          continue;
        }
      }
      const mapped = await this.mapLeaves(element);
      if (!('raw' in mapped)) {
        out.push({ item, outcome: 'failed', ...mapped });
        continue;
      }
      const shaped = shapeEntity(mapped.raw, this.at);
      if ('entity' in shaped) out.push({ item, outcome: 'entity', entity: shaped.entity });
      else out.push({ item, outcome: 'failed', ...shaped });
    }
  }

  /** The item itself, or one item per element of `itemsToParse` (`{...parent, item: element}`). */
  private async expand(raw: unknown): Promise<{ items: readonly unknown[] } | MappingFailure> {
    const spec = this.itemsToParse;
    if (!spec) return { items: [raw] };
    let result = spec.expression.evaluate(raw);
    if (result instanceof Promise) result = await result;
    if ('code' in result) return result;
    const elements = result.value;
    if (elements === undefined || elements === null) return { items: [] };
    const list = Array.isArray(elements) ? (elements as unknown[]) : [elements];
    if (list.length > LIMITS.itemsToParse) {
      return {
        code: 'SIZE_LIMIT',
        reason: `itemsToParse yielded ${list.length} items; the limit is ${LIMITS.itemsToParse} per item`,
        field: spec.expression.path,
      };
    }
    const parent = spec.removePath ? without(raw as Record<string, unknown>, spec.removePath) : (raw as Record<string, unknown>);
    return { items: list.map((element) => ({ ...parent, [spec.name]: element })) };
  }

  private async mapLeaves(item: unknown): Promise<{ raw: RawEntity } | MappingFailure> {
    const raw: RawEntity = {};
    for (const leaf of this.leaves) {
      // Awaiting only an interpreted evaluation: an await per leaf per item costs more than the leaf.
      let result = leaf.expression.evaluate(item);
      if (result instanceof Promise) result = await result;
      if ('code' in result) return this.withIdentifier(result, raw, item);
      // Like Ocean, a declared field that yields nothing is null: the entity says "no value"
      // instead of keeping a stale one when writes merge.
      const value = result.value === undefined ? null : result.value;
      if (!leaf.group) raw[leaf.name] = value;
      else ((raw[leaf.group] ??= {}) as Record<string, unknown>)[leaf.name] = value;
    }
    return { raw };
  }

  /** The failure, naming the item by its identifier when that leaf evaluates. */
  private async withIdentifier(failed: MappingFailure, raw: RawEntity, item: unknown): Promise<MappingFailure> {
    let identifier = raw['identifier'];
    if (identifier === undefined) {
      const leaf = this.leaves.find((l) => l.name === 'identifier' && !l.group);
      const result = leaf && leaf.expression.path !== failed.field ? await leaf.expression.evaluate(item) : undefined;
      identifier = result && 'value' in result ? result.value : undefined;
    }
    return typeof identifier === 'string' || typeof identifier === 'number'
      ? { ...failed, identifier: String(identifier) }
      : failed;
  }
}

/** JSONata's error as a failure with a code: its time and size guardrails, our limits, or its message. */
function failure(error: unknown, field: string): MappingFailure {
  if (error instanceof CompiledTimeout) return { code: 'TIME_LIMIT', reason: error.message, field };
  if (error instanceof RangeError) {
    // V8's own limits (call stack, string length) reached inside an evaluation.
    return { code: 'SIZE_LIMIT', reason: error.message, field };
  }
  const described = describeJsonataError(error);
  if (described.code === 'D2014' || described.code === 'D2015') {
    const at = described.position !== undefined ? ` (at position ${described.position})` : '';
    return {
      code: 'SIZE_LIMIT',
      reason: `the expression builds a sequence longer than the limit of ${GUARDRAILS.sequence} items${at}`,
      field,
    };
  }
  return { code: codeOf(described.code), reason: formatExpressionError(described), field };
}

function codeOf(jsonataCode: string | undefined): MappingErrorCode {
  switch (jsonataCode) {
    case 'D1012':
      return 'TIME_LIMIT';
    case 'D1011':
    case 'D2014':
    case 'D2015':
    case PAD_LIMIT_CODE:
      return 'SIZE_LIMIT';
    default:
      return 'EXPRESSION_FAILED';
  }
}

/** A shallow copy of `raw` without the value at `path` (copying only the objects along the path). */
function without(raw: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined || !(head in raw)) return raw;
  const copy = { ...raw };
  const child = copy[head];
  if (!rest.length) delete copy[head];
  else if (child && typeof child === 'object' && !Array.isArray(child))
    copy[head] = without(child as Record<string, unknown>, rest);
  return copy;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  return `${Array.isArray(value) ? 'an array' : typeof value} (${JSON.stringify(value)?.slice(0, 50)})`;
}
