import { EntityValidator } from '@mooring/catalog';
import type { JsonObject } from '@mooring/integrations';
import type { BlueprintRepository } from '@mooring/persistence';
import type { FieldIssue } from '@mooring/platform';
import { BlueprintCache } from './load/blueprint-cache.js';
import type { MappedEntity } from './map/entity-mapper.js';
import { transformPage } from './map/transform-page.js';
import { parseMapping, type MappingOptions } from './mapping/parse-mapping.js';
import { ResourceTally } from './status/resource-tally.js';

export interface MappingTestItem {
  /** Position of the sample item the result came from. */
  readonly item: number;
  readonly outcome: 'entity' | 'filtered' | 'failed';
  readonly entity?: MappedEntity;
  /** Why the item failed to map, or why the entity would fail validation against its blueprint. */
  readonly error?: { readonly reason: string; readonly field?: string; readonly issues?: readonly FieldIssue[] };
}

export interface MappingTestResult {
  readonly resources: ReadonlyArray<{
    readonly kind: string;
    readonly key: string;
    readonly results: readonly MappingTestItem[];
  }>;
}

/**
 * Maps sample items exactly as a sync would (itemsToParse, selector, the compiled mapping, the
 * blueprint's existence and validation) and reports, per item, the entity or the error. Writes
 * nothing. Throws VALIDATION_FAILED when the mapping itself is invalid.
 */
export async function testMapping(
  input: unknown,
  samples: Readonly<Record<string, readonly JsonObject[]>>,
  context: { readonly orgId: string; readonly blueprints: Pick<BlueprintRepository, 'findMany'> } & MappingOptions,
): Promise<MappingTestResult> {
  const mapping = parseMapping(input, context);
  const blueprints = new BlueprintCache(context.blueprints, context.orgId);
  const validator = new EntityValidator();
  const resources = [];
  for (const resource of mapping.resources) {
    const results: MappingTestItem[] = [];
    const items = samples[resource.kind] ?? [];
    for (const [position, item] of items.entries()) {
      // One item at a time, so every outcome is attributed to the sample it came from.
      const tally = new ResourceTally();
      const entities = await transformPage([item], resource, blueprints, tally);
      for (const entity of entities) {
        const issues = validator.validate(blueprints.get(entity.blueprint)!, entity);
        results.push(
          issues.length
            ? { item: position, outcome: 'failed', entity, error: { reason: 'the entity does not match its blueprint', issues } }
            : { item: position, outcome: 'entity', entity },
        );
      }
      for (const sample of tally.samples) {
        results.push({
          item: position,
          outcome: 'failed',
          error: { reason: sample.reason, ...(sample.field ? { field: sample.field } : {}) },
        });
      }
      for (let i = 0; i < tally.counts.filteredOut; i++) results.push({ item: position, outcome: 'filtered' });
    }
    resources.push({ kind: resource.kind, key: resource.key, results });
  }
  return { resources };
}
