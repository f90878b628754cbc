import type { JsonObject } from '@mooring/integrations';
import type { BlueprintCache } from './blueprint-cache.js';
import type { MappedEntity, ParsedResource } from '../mapping/index.js';
import type { ResourceTally } from '../tally/resource-tally.js';

/**
 * Maps a page of raw items to entities through the mapping stage (itemsToParse, selector, the
 * compiled mapping, in a worker thread), then checks each entity's blueprint exists. Every item
 * ends as transformed, filteredOut or failed (with a sample); none is dropped silently. A page
 * whose items keep overrunning their time stops the resource (`tally.stopped`).
 */
export async function transformPage(
  items: readonly JsonObject[],
  resource: ParsedResource,
  blueprints: BlueprintCache,
  tally: ResourceTally,
): Promise<MappedEntity[]> {
  if (tally.stopped || !items.length) return [];
  const { outcomes, stopped } = await resource.mapPage(items);
  const mapped: MappedEntity[] = [];
  for (const outcome of outcomes) {
    // Items a stopped page never evaluated are explained by the resource's stop, not counted.
    if (stopped && outcome.outcome === 'failed' && outcome.code === 'NOT_EVALUATED') continue;
    if (outcome.outcome === 'entity') mapped.push(outcome.entity);
    else if (outcome.outcome === 'filtered') tally.counts.filteredOut++;
    else fail(tally, outcome.reason, outcome.field, outcome.identifier);
  }
  if (stopped) tally.stopped = stopped;
  await blueprints.load(new Set(mapped.map((entity) => entity.blueprint)));
  const known = mapped.filter((entity) => {
    if (blueprints.get(entity.blueprint)) return true;
    fail(
      tally,
      `blueprint "${entity.blueprint}" does not exist`,
      `resources[${resource.index}].port.entity.mappings.blueprint`,
      entity.identifier,
    );
    return false;
  });
  tally.counts.transformed += known.length;
  return known;
}

function fail(tally: ResourceTally, reason: string, field?: string, identifier?: string): void {
  tally.counts.transformFailed++;
  tally.sample({ phase: 'transform', reason, ...(field ? { field } : {}), ...(identifier ? { identifier } : {}) });
}
