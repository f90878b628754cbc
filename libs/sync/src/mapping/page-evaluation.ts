import { loadJq, type Jq } from 'jq-wasm';
import type { ItemOutcome } from './entity-shape.js';
import { GUARDRAILS, LIMITS } from './limits.js';
import { JqEngineBroken, JqResource, checkJq } from './jq/jq-resource.js';
import { JsonataResource } from './jsonata/jsonata-resource.js';
import { selectJq, selectJsonata, type Selection } from './select-expression.js';
import type { MappingConfig } from './mapping.schema.js';

// What a mapping worker thread does with a task: map a page of raw items for one resource of a
// mapping (compiled once per worker and cached by the mapping's hash), or compile-check JQ
// expressions. Also callable in-process (tests, the benchmark's baseline); in production it runs
// only in the worker threads of mapping-pool.ts, whose time limit can stop it mid-operation.

export type MappingTask =
  | {
      readonly kind: 'page';
      readonly mapping: { readonly hash: string; readonly config: MappingConfig };
      readonly resource: number;
      readonly items: readonly unknown[];
    }
  | { readonly kind: 'check-jq'; readonly expressions: ReadonlyArray<{ readonly path: string; readonly source: string }> }
  | {
      readonly kind: 'select';
      readonly language: 'jsonata' | 'jq';
      readonly source: string;
      readonly input: unknown;
    };

/** A page's outcomes; `stopped` when its items hit the time guardrail LIMITS.timeoutsPerPage times. */
export interface PageResult {
  readonly outcomes: ItemOutcome[];
  readonly stopped?: string;
}

export type MappingTaskResult = PageResult | Array<{ field: string; message: string }> | Selection;

const CACHED_MAPPINGS = 32;
const mappings = new Map<string, Map<number, JsonataResource | JqResource>>();
let jq: Promise<Jq> | undefined;

export async function runMappingTask(task: MappingTask): Promise<MappingTaskResult> {
  if (task.kind === 'check-jq') return checkJq(await jqEngine(), task.expressions);
  if (task.kind === 'select') {
    if (task.language === 'jsonata') return selectJsonata(task.source, task.input);
    try {
      return selectJq(await jqEngine(), task.source, task.input);
    } catch (error) {
      if (error instanceof JqEngineBroken) jq = undefined;
      throw error;
    }
  }
  const resource = compiled(task.mapping, task.resource);
  const out: ItemOutcome[] = [];
  if (resource instanceof JqResource) {
    try {
      resource.mapItems(await jqEngine(), task.items, out);
    } catch (error) {
      // An aborted jq instance never recovers (e.g. out of WASM memory): the next task gets a new one.
      if (error instanceof JqEngineBroken) jq = undefined;
      throw error;
    }
    return { outcomes: out };
  }
  // A mapping that loops costs a second per item: a few of those and the resource stops.
  let timeouts = 0;
  for (const [item, raw] of task.items.entries()) {
    if (timeouts >= LIMITS.timeoutsPerPage) {
      out.push({ item, outcome: 'failed', code: 'NOT_EVALUATED', reason: 'not evaluated: the resource was stopped' });
      continue;
    }
    const before = out.length;
    await resource.mapItem(raw, item, out);
    if (out.slice(before).some((o) => o.outcome === 'failed' && o.code === 'TIME_LIMIT')) timeouts++;
  }
  return timeouts >= LIMITS.timeoutsPerPage
    ? {
        outcomes: out,
        stopped: `the mapping hit the ${GUARDRAILS.timeout} ms time limit ${timeouts} times in a page; the resource was stopped`,
      }
    : { outcomes: out };
}

function compiled(mapping: { hash: string; config: MappingConfig }, index: number): JsonataResource | JqResource {
  let resources = mappings.get(mapping.hash);
  if (!resources) {
    if (mappings.size >= CACHED_MAPPINGS) mappings.delete(mappings.keys().next().value!);
    resources = new Map();
    mappings.set(mapping.hash, resources);
  }
  let resource = resources.get(index);
  if (!resource) {
    const config = mapping.config.resources[index];
    if (!config) throw new Error(`the mapping has no resource ${index}`);
    resource = mapping.config.language === 'jq' ? new JqResource(config, index) : new JsonataResource(config, index);
    resources.set(index, resource);
  }
  return resource;
}

function jqEngine(): Promise<Jq> {
  jq ??= loadJq();
  return jq;
}
