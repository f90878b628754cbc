import type { Jq } from 'jq-wasm';
import type { ResourceConfig } from '../mapping.schema.js';
import { LIMITS } from '../limits.js';
import { shapeEntity, type FieldWarning, type ItemOutcome, type RawEntity } from '../entity-shape.js';
import { JQ_RESULT, compileCheckProgram, jqLeaves, pageProgram } from './port-jq.js';

/** jq-wasm aborted (e.g. out of WASM memory): its instance is unusable and the worker must go. */
export class JqEngineBroken extends Error {}

/**
 * A resource of a JQ mapping (Port's dialect), evaluated with the real jq (jq-wasm, jq 1.8.2):
 * a page is ONE program over the page's items, split into calls of at most LIMITS.jqInputBytes.
 * jq calls are synchronous: the worker thread running them is what the time limit terminates.
 */
export class JqResource {
  private readonly program: string;
  private readonly spec: ReturnType<typeof jqLeaves>;
  private readonly at: string;

  constructor(resource: ResourceConfig, index: number) {
    this.program = pageProgram(resource, index);
    this.spec = jqLeaves(resource, index);
    this.at = `resources[${index}].port.entity.mappings`;
  }

  mapItems(jq: Jq, items: readonly unknown[], out: ItemOutcome[]): void {
    let batch: Array<{ item: number; text: string }> = [];
    let bytes = 0;
    for (const [item, raw] of items.entries()) {
      const text = JSON.stringify(raw);
      if (text.length > LIMITS.jqInputBytes) {
        out.push({
          item,
          outcome: 'failed',
          code: 'SIZE_LIMIT',
          reason: `the item is ${text.length} characters as JSON; JQ mappings take items up to ${LIMITS.jqInputBytes}`,
        });
        continue;
      }
      if (bytes + text.length > LIMITS.jqInputBytes && batch.length) {
        this.run(jq, batch, out);
        batch = [];
        bytes = 0;
      }
      batch.push({ item, text });
      bytes += text.length + 1;
    }
    if (batch.length) this.run(jq, batch, out);
  }

  private run(jq: Jq, batch: ReadonlyArray<{ item: number; text: string }>, out: ItemOutcome[]): void {
    let result: ReturnType<Jq['raw']>;
    try {
      result = jq.raw(`[${batch.map((b) => b.text).join(',')}]`, this.program, ['-c']);
    } catch (error) {
      throw new JqEngineBroken(`jq aborted: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result.exitCode !== 0 || !result.stdout.trim()) {
      // Every expression is wrapped in try, so only a program-wide stop (halt_error) gets here:
      // each item alone then tells which of them causes it.
      if (batch.length > 1) {
        for (const single of batch) this.run(jq, [single], out);
        return;
      }
      out.push({
        item: batch[0]!.item,
        outcome: 'failed',
        code: 'EXPRESSION_FAILED',
        reason: jqMessage(result.stderr) || `jq stopped without output (exit code ${result.exitCode})`,
      });
      return;
    }
    const rows = JSON.parse(result.stdout) as unknown[][];
    for (const row of rows) this.decode(row, batch, out);
  }

  private decode(row: unknown[], batch: ReadonlyArray<{ item: number }>, out: ItemOutcome[]): void {
    const item = batch[row[0] as number]!.item;
    const tag = row[1] as number;
    const message = typeof row[2] === 'string' ? row[2] : '';
    const selector = this.spec.selector?.path;
    const itemsToParse = this.spec.itemsToParse?.path;
    switch (tag) {
      case JQ_RESULT.filtered:
        out.push({ item, outcome: 'filtered' });
        return;
      case JQ_RESULT.selectorFailed:
        out.push({
          item,
          outcome: 'failed',
          code: 'EXPRESSION_FAILED',
          reason: jqMessage(message),
          ...(selector ? { field: selector } : {}),
        });
        return;
      case JQ_RESULT.selectorNotBoolean:
        out.push({
          item,
          outcome: 'failed',
          code: 'INVALID_ENTITY',
          reason: `the selector must evaluate to true or false, not ${message}`,
          ...(selector ? { field: selector } : {}),
        });
        return;
      case JQ_RESULT.itemsToParseFailed:
        out.push({
          item,
          outcome: 'failed',
          code: 'EXPRESSION_FAILED',
          reason: jqMessage(message),
          ...(itemsToParse ? { field: itemsToParse } : {}),
        });
        return;
      case JQ_RESULT.itemsToParseNotArray:
        out.push({
          item,
          outcome: 'failed',
          code: 'INVALID_ENTITY',
          reason: `itemsToParse must evaluate to an array, not ${message}`,
          ...(itemsToParse ? { field: itemsToParse } : {}),
        });
        return;
      default:
        break;
    }
    const values = row[2] as unknown[];
    const raw: RawEntity = {};
    const warnings: FieldWarning[] = [];
    this.spec.leaves.forEach((leaf, index) => {
      const cell = values[index];
      let value: unknown = null;
      if (Array.isArray(cell)) value = cell.length ? cell[0] : null;
      else if (cell && typeof cell === 'object')
        warnings.push({ field: leaf.path, reason: jqMessage(String((cell as { e: unknown }).e)) });
      if (!leaf.group) raw[leaf.name] = value;
      else ((raw[leaf.group] ??= {}) as Record<string, unknown>)[leaf.name] = value;
    });
    const shaped = shapeEntity(raw, this.at);
    if ('entity' in shaped)
      out.push({ item, outcome: 'entity', entity: shaped.entity, ...(warnings.length ? { warnings } : {}) });
    else out.push({ item, outcome: 'failed', ...shaped });
  }
}

/** Compile errors of each expression (empty when all compile), from jq itself. */
export function checkJq(
  jq: Jq,
  expressions: ReadonlyArray<{ path: string; source: string }>,
): Array<{ field: string; message: string }> {
  const issues: Array<{ field: string; message: string }> = [];
  for (const { path, source } of expressions) {
    const program = compileCheckProgram(source);
    const result = jq.raw('null', program);
    if (result.exitCode === 0) continue;
    // jq locates the error in the check program; shift its column to the expression's own position.
    const offset = program.indexOf('(') + 1;
    const message = jqMessage(result.stderr).replace(/ at <top-level>, line 1, column (\d+):?/, (_all, column: string) =>
      Number(column) > offset ? ` (at position ${Number(column) - offset})` : '',
    );
    issues.push({ field: path, message: `invalid JQ: ${message}` });
  }
  return issues;
}

/** jq's stderr without its prefixes and the program's internals. */
function jqMessage(stderr: string): string {
  return (
    stderr
      .split('\n')
      // Drop the count of compile errors and the excerpt of the program jq quotes under a message.
      .filter((line) => line.trim() && !/^jq: \d+ compile errors?$/.test(line) && !/^\s/.test(line))
      .map((line) => line.replace(/^jq: error(?: \(at [^)]*\))?: /, ''))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 500)
  );
}
