import type { JsonObject } from '@mooring/integrations';
import type { BlueprintCache } from '../load/blueprint-cache.js';
import { GUARDRAILS, describeJsonataError, formatExpressionError } from '../mapping/jsonata-expression.js';
import type { ParsedResource } from '../mapping/parse-mapping.js';
import type { ResourceTally } from '../status/resource-tally.js';
import type { MappedEntity } from './entity-mapper.js';
import { FALLBACK } from './fast-expression.js';

const MAX_TIMEOUTS_PER_PAGE = 3;

/**
 * Maps a page of raw items to entities: itemsToParse expansion, the selector, the compiled
 * mapping, and the blueprint's existence. Every item ends as transformed, filteredOut or failed
 * (with a sample); none is dropped silently.
 */
export async function transformPage(
  items: readonly JsonObject[],
  resource: ParsedResource,
  blueprints: BlueprintCache,
  tally: ResourceTally,
): Promise<MappedEntity[]> {
  const mapped: MappedEntity[] = [];
  let timeouts = 0;
  for (const raw of items) {
    if (tally.stopped) break;
    for (const item of await expand(raw, resource, tally)) {
      if (resource.selector) {
        const selected = await select(item, resource, tally);
        if (selected === undefined) continue;
        if (!selected) {
          tally.counts.filteredOut++;
          continue;
        }
      }
      const result = await resource.mapper.map(item);
      if (result.outcome === 'failed') {
        fail(tally, result.reason, result.field, result.identifier);
        // A mapping that loops costs seconds per item: a few of those and the resource stops.
        if (result.timedOut && ++timeouts >= MAX_TIMEOUTS_PER_PAGE) {
          tally.stopped = `the mapping hit the ${GUARDRAILS.timeout} ms time limit ${timeouts} times in a page; the resource was stopped`;
          break;
        }
        continue;
      }
      mapped.push(result.entity);
    }
  }
  await blueprints.load(new Set(mapped.map((entity) => entity.blueprint)));
  const known = mapped.filter((entity) => {
    if (blueprints.get(entity.blueprint)) return true;
    fail(tally, `blueprint "${entity.blueprint}" does not exist`, `${mappingsPath(resource)}.blueprint`, entity.identifier);
    return false;
  });
  tally.counts.transformed += known.length;
  return known;
}

/** The item itself, or one item per element of `itemsToParse` (`{...parent, item: element}`). */
async function expand(raw: JsonObject, resource: ParsedResource, tally: ResourceTally): Promise<readonly unknown[]> {
  const spec = resource.itemsToParse;
  if (!spec) return [raw];
  let elements: unknown;
  try {
    elements = await spec.expression.evaluate(raw);
  } catch (error) {
    fail(tally, formatExpressionError(describeJsonataError(error)), `resources[${resource.index}].port.itemsToParse`);
    return [];
  }
  if (elements === undefined || elements === null) return [];
  const list = Array.isArray(elements) ? (elements as unknown[]) : [elements];
  const parent = spec.removePath ? without(raw, spec.removePath) : raw;
  return list.map((element) => ({ ...parent, [spec.name]: element }));
}

/** True or false; undefined when the selector failed (counted and sampled). */
async function select(item: unknown, resource: ParsedResource, tally: ResourceTally): Promise<boolean | undefined> {
  const field = `resources[${resource.index}].selector.query`;
  try {
    const selector = resource.selector!;
    let selected = selector.fast ? selector.fast(item) : FALLBACK;
    if (selected === FALLBACK) selected = await selector.expression.evaluate(item);
    if (typeof selected === 'boolean') return selected;
    fail(tally, `the selector must evaluate to true or false, not ${describe(selected)}`, field);
  } catch (error) {
    fail(tally, formatExpressionError(describeJsonataError(error)), field);
  }
  return undefined;
}

function fail(tally: ResourceTally, reason: string, field?: string, identifier?: string): void {
  tally.counts.transformFailed++;
  tally.sample({ phase: 'transform', reason, ...(field ? { field } : {}), ...(identifier ? { identifier } : {}) });
}

/** A shallow copy of `raw` without the value at `path` (copying only the objects along the path). */
function without(raw: JsonObject, path: readonly string[]): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined || !(head in raw)) return raw;
  const copy = { ...raw };
  const child = copy[head];
  if (!rest.length) delete copy[head];
  else if (child && typeof child === 'object' && !Array.isArray(child)) copy[head] = without(child, rest);
  return copy;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  return `${Array.isArray(value) ? 'an array' : typeof value} (${JSON.stringify(value)?.slice(0, 50)})`;
}

function mappingsPath(resource: ParsedResource): string {
  return `resources[${resource.index}].port.entity.mappings`;
}
