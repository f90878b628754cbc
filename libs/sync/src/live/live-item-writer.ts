import { EntityValidator } from '@mooring/catalog';
import type { IntegrationDefinition, JsonObject } from '@mooring/integrations';
import type {
  BlueprintRepository,
  EntityKey,
  ErrorSample,
  InstallationRecord,
  SyncCatalogRepository,
} from '@mooring/persistence';
import { BlueprintCache } from '../map/blueprint-cache.js';
import { ResourceLoader, type LoadContext } from '../load/resource-loader.js';
import { transformPage } from '../map/transform-page.js';
import { parseMapping, type ParsedMapping } from '../mapping/index.js';
import { ResourceTally } from '../tally/resource-tally.js';

/** What writing a kind's items did, summed over the mapping resources of that kind. */
export interface LiveWriteCounts {
  /** Entities written, or already stored exactly so (hash-skip). */
  applied: number;
  /** Entities unchanged (included in `applied`). */
  unchanged: number;
  filteredOut: number;
  failed: number;
  samples: ErrorSample[];
}

/**
 * Writes items a live event brought through the installation's mapping, exactly as a resync would:
 * every mapping resource of the item's kind in order, with its selector, through the same
 * `transformPage` and `ResourceLoader` (hash-skip, validation, relations) and as the same writer
 * (`installation`, `kind-index`), so the next resync finds nothing to change. When a run of the
 * installation is running, the keys written are staged as that run's seen keys: its reconciliation
 * never deletes what a live event has just written.
 */
export class LiveItemWriter {
  private constructor(
    private readonly installation: InstallationRecord,
    private readonly mapping: ParsedMapping,
    private readonly load: (runId: string | null) => LoadContext,
    private readonly catalog: SyncCatalogRepository,
  ) {}

  static async open(
    deps: { readonly catalog: SyncCatalogRepository; readonly blueprints: Pick<BlueprintRepository, 'findMany'> },
    installation: InstallationRecord,
    integration: IntegrationDefinition,
  ): Promise<LiveItemWriter> {
    const mapping = await parseMapping(installation.mapping, { integration });
    const blueprints = new BlueprintCache(deps.blueprints, installation.orgId);
    const validator = new EntityValidator();
    return new LiveItemWriter(
      installation,
      mapping,
      (runId) => ({
        orgId: installation.orgId,
        runId,
        catalog: deps.catalog,
        blueprints,
        validator,
        merge: mapping.config.enableMergeEntity,
        createMissingRelatedEntities: mapping.config.createMissingRelatedEntities,
      }),
      deps.catalog,
    );
  }

  /** Whether the mapping has a resource of this kind (an event of another kind changes nothing). */
  maps(kind: string): boolean {
    return this.mapping.resources.some((resource) => resource.kind === kind);
  }

  /** The selector options extract gets for the kind (its first resource's): how `fetchItem` reads an item alike. */
  selectorOf(kind: string): Readonly<Record<string, unknown>> | undefined {
    return this.mapping.resources.find((resource) => resource.kind === kind)?.selectorOptions;
  }

  async upsert(kind: string, items: readonly JsonObject[], runId: string | null): Promise<LiveWriteCounts> {
    const counts: LiveWriteCounts = { applied: 0, unchanged: 0, filteredOut: 0, failed: 0, samples: [] };
    if (!items.length) return counts;
    const load = this.load(runId);
    for (const resource of this.mapping.resources.filter((candidate) => candidate.kind === kind)) {
      const tally = new ResourceTally();
      const loader = new ResourceLoader(
        load,
        { index: resource.index, key: resource.key, writer: { installationId: this.installation.id, resourceKey: resource.key } },
        tally,
      );
      const entities = await transformPage(items, resource, load.blueprints, tally);
      await loader.add(entities);
      await loader.finish();
      const c = tally.counts;
      counts.applied += c.ingested + c.notChanged;
      counts.unchanged += c.notChanged;
      counts.filteredOut += c.filteredOut;
      counts.failed += c.transformFailed + c.ingestFailed + (tally.stopped ? 1 : 0);
      counts.samples.push(...tally.samples.slice(0, 5 - counts.samples.length));
    }
    return counts;
  }

  /** The entities the items map to (every resource of the kind): what a confirmed deletion removes. */
  async keysOf(kind: string, items: readonly JsonObject[]): Promise<EntityKey[]> {
    const keys = new Map<string, EntityKey>();
    for (const resource of this.mapping.resources.filter((candidate) => candidate.kind === kind)) {
      const { outcomes } = await resource.mapPage(items);
      for (const outcome of outcomes) {
        if (outcome.outcome !== 'entity') continue;
        const { blueprint, identifier } = outcome.entity;
        keys.set(`${blueprint}\u0000${identifier}`, { blueprint, identifier });
      }
    }
    return [...keys.values()];
  }

  /** Deletes those of `keys` this installation owns; entities others require stay. */
  async delete(keys: readonly EntityKey[]): Promise<{ deleted: number; blocked: number }> {
    const result = await this.catalog.deleteOwned(this.installation.orgId, this.installation.id, keys);
    return { deleted: result.deleted.length, blocked: result.blocked.length };
  }
}
