import type { EntityValidator } from '@mooring/catalog';
import { relationTargets } from '@mooring/catalog';
import type { EntityKey, SyncCatalogRepository, SyncEntityInput, SyncWriter } from '@mooring/persistence';
import type { MappedEntity } from '../map/entity-mapper.js';
import type { ResourceTally } from '../status/resource-tally.js';
import type { BlueprintCache } from './blueprint-cache.js';
import { MAX_ENTITY_BYTES, contentHash } from './content-hash.js';

/** Entities per bulk statement: ~1k keeps UNNEST upserts at their fastest (targets §11). */
export const LOAD_BATCH_SIZE = 1_000;

export interface LoadContext {
  readonly orgId: string;
  readonly runId: string;
  readonly catalog: SyncCatalogRepository;
  readonly blueprints: BlueprintCache;
  readonly validator: EntityValidator;
  readonly merge: boolean;
  readonly createMissingRelatedEntities: boolean;
}

/**
 * Loads one resource's entities in bulk batches. Per batch: stage the keys the run saw and learn
 * which are unchanged (one statement), validate the rest against their blueprint, resolve related
 * entities (placeholders, or park the entity for reingestion), and upsert what is left (one
 * statement). One batch is written while the next is mapped; never more.
 */
export class ResourceLoader {
  private buffer: MappedEntity[] = [];
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: LoadContext,
    private readonly resource: { readonly index: number; readonly key: string; readonly writer: SyncWriter },
    private readonly tally: ResourceTally,
  ) {}

  async add(entities: readonly MappedEntity[]): Promise<void> {
    this.buffer.push(...entities);
    if (this.buffer.length >= LOAD_BATCH_SIZE) await this.dispatch();
  }

  /** Writes what is buffered and waits for every write to finish. */
  async finish(): Promise<void> {
    if (this.buffer.length) await this.dispatch();
    await this.inFlight;
  }

  private async dispatch(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    await this.inFlight;
    this.inFlight = this.tally.time('loadMs', () => this.flush(batch));
    // A failed write surfaces at the next dispatch or at finish(); never as an unhandled rejection.
    this.inFlight.catch(() => {});
  }

  private async flush(batch: readonly MappedEntity[]): Promise<void> {
    const { orgId, runId, catalog, blueprints, validator } = this.context;
    const counts = this.tally.counts;

    // The same entity twice in a batch: the last one wins, earlier copies are superseded.
    const byKey = new Map<string, SyncEntityInput>();
    for (const entity of batch) {
      const { hash, bytes } = contentHash(entity, this.context.merge);
      if (bytes > MAX_ENTITY_BYTES) {
        this.fail(entity.identifier, `the mapped entity is ${bytes} bytes, over the ${MAX_ENTITY_BYTES}-byte limit`);
        continue;
      }
      const key = keyOf(entity);
      if (byKey.has(key)) counts.notChanged++;
      byKey.set(key, { ...entity, contentHash: hash });
    }
    const entities = [...byKey.values()];

    const unchanged = await catalog.stageSeen(orgId, runId, this.resource.writer, entities);
    counts.notChanged += unchanged.size;

    const changed = entities.filter((entity, position) => {
      if (unchanged.has(position)) return false;
      const issues = validator.validate(blueprints.get(entity.blueprint)!, entity);
      if (!issues.length) return true;
      this.fail(entity.identifier, issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), issues[0]?.field);
      return false;
    });

    const missing = await this.missingTargets(changed);
    const ready: SyncEntityInput[] = [];
    const parked: SyncEntityInput[] = [];
    for (const entity of changed) {
      const absent = missing.size ? this.targetsOf(entity).filter((target) => missing.has(keyOf(target))) : [];
      if (absent.length && !this.context.createMissingRelatedEntities) {
        parked.push(entity);
        this.fail(entity.identifier, `related entity ${describeKeys(absent)} does not exist yet; retried after all resources`);
      } else {
        ready.push(entity);
      }
    }
    await catalog.addPending(
      orgId,
      runId,
      parked.map((entity) => ({
        blueprint: entity.blueprint,
        identifier: entity.identifier,
        resourceIndex: this.resource.index,
        entity,
        reason: 'missing related entity',
      })),
    );
    const placeholders = this.context.createMissingRelatedEntities ? [...missing.values()] : [];
    if (ready.length || placeholders.length) {
      await catalog.write(orgId, this.resource.writer, ready, { merge: this.context.merge, placeholders });
    }
    counts.ingested += ready.length;
  }

  /** Related entities that exist neither in the catalog nor in this batch, by key. */
  private async missingTargets(entities: readonly SyncEntityInput[]): Promise<Map<string, EntityKey>> {
    const inBatch = new Set(entities.map(keyOf));
    const targets = new Map<string, EntityKey>();
    for (const entity of entities) {
      for (const target of this.targetsOf(entity)) {
        const key = keyOf(target);
        if (!inBatch.has(key)) targets.set(key, target);
      }
    }
    if (!targets.size) return new Map();
    const missing = await this.context.catalog.findMissing(this.context.orgId, [...targets.values()]);
    return new Map(missing.map((target) => [keyOf(target), target]));
  }

  private targetsOf(entity: SyncEntityInput): EntityKey[] {
    return relationTargets(this.context.blueprints.get(entity.blueprint)!, entity.relations);
  }

  private fail(identifier: string, reason: string, field?: string): void {
    this.tally.counts.ingestFailed++;
    this.tally.sample({ phase: 'load', reason, identifier, ...(field ? { field } : {}) });
  }
}

export function keyOf(key: EntityKey): string {
  return `${key.blueprint}\u0000${key.identifier}`;
}

function describeKeys(keys: readonly EntityKey[]): string {
  return keys.map((key) => `${key.blueprint}/${key.identifier}`).join(', ');
}
