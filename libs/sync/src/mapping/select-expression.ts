import type { Jq } from 'jq-wasm';
import { LIMITS } from './limits.js';
import { JqEngineBroken } from './jq/jq-resource.js';
import { formatFilter } from './jq/port-jq.js';
import { describeJsonataError, formatExpressionError, tryCompile } from './jsonata/jsonata-expression.js';

// One expression over one JSON value (e.g. where a tool's answer holds its items), with a mapping's
// engines and bounds: JSONata with its guardrails, jq (Port's quoting) on the real jq. Runs in a
// mapping worker thread, so the pool's time limit stops a runaway program.

/** The value (undefined: nothing selected), or why the evaluation failed. */
export type Selection = { readonly value: unknown } | { readonly error: string };

const compiled = new Map<string, ReturnType<typeof tryCompile>>();
const CACHED = 64;

export async function selectJsonata(source: string, input: unknown): Promise<Selection> {
  let entry = compiled.get(source);
  if (!entry) {
    if (compiled.size >= CACHED) compiled.delete(compiled.keys().next().value!);
    entry = tryCompile(source);
    compiled.set(source, entry);
  }
  if ('error' in entry) return { error: formatExpressionError(entry.error) };
  try {
    // A JSONata sequence is an array with a flag; the plain array is what crosses the thread.
    const value: unknown = await entry.expression.evaluate(input);
    return { value: Array.isArray(value) ? [...(value as unknown[])] : value };
  } catch (error) {
    return { error: formatExpressionError(describeJsonataError(error)) };
  }
}

export function selectJq(jq: Jq, source: string, input: unknown): Selection {
  const text = JSON.stringify(input);
  if (text.length > LIMITS.jqInputBytes) {
    return { error: `the input is ${text.length} characters as JSON; jq takes at most ${LIMITS.jqInputBytes}` };
  }
  let result: ReturnType<Jq['raw']>;
  try {
    result = jq.raw(text, `[${formatFilter(source)}]`, ['-c']);
  } catch (error) {
    throw new JqEngineBroken(`jq aborted: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result.exitCode !== 0) {
    // jq's first line says what went wrong; the lines after it quote the program.
    const [first = 'failed'] = result.stderr.split('\n').filter((line) => line.trim());
    return { error: `jq: ${first.replace(/^jq: error(?: \(at [^)]*\))?: /, '').trim()}` };
  }
  const outputs = JSON.parse(result.stdout) as unknown[];
  // `.data` outputs the list; `.data[]` outputs its members, which make the list (none: empty).
  return { value: outputs.length === 1 && Array.isArray(outputs[0]) ? outputs[0] : outputs };
}
