import type { EntityValidator } from '@mooring/catalog';
import { relationTargets } from '@mooring/catalog';
import {
  isRefusedData,
  type EntityKey,
  type SyncBatch,
  type SyncCatalogRepository,
  type SyncEntityInput,
  type SyncWriter,
} from '@mooring/persistence';
import type { MappedEntity } from '../mapping/index.js';
import type { ResourceTally } from '../tally/resource-tally.js';
import type { BlueprintCache } from '../map/blueprint-cache.js';
import { MAX_ENTITY_BYTES, contentHash } from './content-hash.js';
import { storableEntity } from './storable-entity.js';

/** Entities per bulk statement: ~1k keeps UNNEST upserts at their fastest (targets §11). */
export const LOAD_BATCH_SIZE = 1_000;
/**
 * Batches written at once, each on its own connection, while the next one is mapped: commits wait
 * on the disk, so two in flight keep PostgreSQL busy. Batches lock rows in key order, so two
 * batches holding the same keys wait for each other instead of deadlocking.
 */
export const LOAD_CONCURRENCY = 2;

/** An entity that failed to load, and why (recorded once its batch's outcome is final). */
interface LoadFailure {
  readonly identifier: string;
  readonly reason: string;
  readonly field?: string;
}

/** What one committed batch did. */
interface BatchOutcome {
  readonly notChanged: number;
  readonly ingested: number;
  readonly failures: readonly LoadFailure[];
}

export interface LoadContext {
  readonly orgId: string;
  /**
   * The run whose seen keys the batch stages. Null for a live event applied while no run is running:
   * nothing is staged, and an entity whose related entity does not exist yet fails (the next
   * resync writes it) instead of waiting for the run's reingestion.
   */
  readonly runId: string | null;
  readonly catalog: SyncCatalogRepository;
  readonly blueprints: BlueprintCache;
  readonly validator: EntityValidator;
  readonly merge: boolean;
  readonly createMissingRelatedEntities: boolean;
}

/** A sync run's load context: it always stages the keys it sees. */
export type RunLoadContext = LoadContext & { readonly runId: string };

/**
 * Loads one resource's entities in bulk batches, one transaction each: stage the keys the run saw
 * and learn which are unchanged and which related entities are missing (one statement), validate
 * the rest against their blueprint, create placeholders or park entities for reingestion, and
 * upsert what is left (one statement). One batch is written while the next is mapped; never more.
 */
export class ResourceLoader {
  private buffer: MappedEntity[] = [];
  private readonly inFlight: Array<Promise<void>> = [];

  constructor(
    private readonly context: LoadContext,
    private readonly resource: { readonly index: number; readonly key: string; readonly writer: SyncWriter },
    private readonly tally: ResourceTally,
  ) {}

  /** Takes a page's entities, however many: they leave in batches of LOAD_BATCH_SIZE as they come. */
  async add(entities: readonly MappedEntity[]): Promise<void> {
    for (const entity of entities) {
      this.buffer.push(entity);
      if (this.buffer.length >= LOAD_BATCH_SIZE) await this.dispatch();
    }
  }

  /** Writes what is buffered and waits for every write to finish. */
  async finish(): Promise<void> {
    if (this.buffer.length) await this.dispatch();
    while (this.inFlight.length) await this.inFlight.shift();
  }

  private async dispatch(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (this.inFlight.length >= LOAD_CONCURRENCY) await this.inFlight.shift();
    const write = this.tally.time('loadMs', () => this.flush(batch));
    // A failed write surfaces when it is awaited (next dispatch or finish); never as an unhandled rejection.
    write.catch(() => {});
    this.inFlight.push(write);
  }

  private async flush(batch: readonly MappedEntity[]): Promise<void> {
    const counts = this.tally.counts;
    // The same entity twice in a batch: the last one wins, earlier copies are superseded.
    const byKey = new Map<string, SyncEntityInput>();
    const oversized = new Set<SyncEntityInput>();
    for (const mapped of batch) {
      const storable = storableEntity(mapped);
      if (!('entity' in storable)) {
        this.fail({ identifier: visible(mapped.identifier), reason: storable.reason, field: storable.field });
        continue;
      }
      const entity = storable.entity;
      const { hash, bytes } = contentHash(entity, this.context.merge);
      const key = keyOf(entity);
      if (byKey.has(key)) counts.notChanged++;
      const input = { ...entity, contentHash: hash };
      byKey.set(key, input);
      if (bytes > MAX_ENTITY_BYTES) oversized.add(input);
    }
    await this.write([...byKey.values()].sort(inKeyOrder), oversized);
  }

  /**
   * Writes entities in one transaction. When PostgreSQL refuses the data of one of them (a value
   * no check above foresaw), the batch is halved until that entity is found: it alone fails, with
   * a sample, and the rest are written.
   */
  private async write(entities: readonly SyncEntityInput[], oversized: ReadonlySet<SyncEntityInput>): Promise<void> {
    if (!entities.length) return;
    let outcome: BatchOutcome;
    try {
      outcome = await this.context.catalog.inBatch(this.context.orgId, (session) =>
        this.writeBatch(session, entities, oversized),
      );
    } catch (error) {
      if (!isRefusedData(error)) throw error;
      if (entities.length === 1) {
        const code = (error as { code?: string }).code;
        this.fail({
          identifier: entities[0]!.identifier,
          reason: `PostgreSQL refused the entity (${code}): ${(error as Error).message}`,
        });
        return;
      }
      const half = Math.ceil(entities.length / 2);
      await this.write(entities.slice(0, half), oversized);
      await this.write(entities.slice(half), oversized);
      return;
    }
    const counts = this.tally.counts;
    counts.notChanged += outcome.notChanged;
    counts.ingested += outcome.ingested;
    for (const failure of outcome.failures) this.fail(failure);
  }

  private async writeBatch(
    session: SyncBatch,
    entities: readonly SyncEntityInput[],
    oversized: ReadonlySet<SyncEntityInput>,
  ): Promise<BatchOutcome> {
    const { runId, blueprints, validator } = this.context;
    const failures: LoadFailure[] = [];
    const targets = this.targetsOutside(entities);
    const { unchanged, missing: absentTargets } = await session.stage(
      runId,
      this.resource.index,
      this.resource.writer,
      entities,
      targets,
    );
    const missing = new Map(absentTargets.map((target) => [keyOf(target), target]));

    const ready: SyncEntityInput[] = [];
    const parked: SyncEntityInput[] = [];
    // Entities that fail here were still seen: the tool has them, so reconciliation keeps them.
    entities.forEach((entity, position) => {
      if (oversized.has(entity)) {
        failures.push({ identifier: entity.identifier, reason: 'the mapped entity is larger than 1 MiB as JSON' });
        return;
      }
      if (unchanged.has(position)) return;
      const issues = validator.validate(blueprints.get(entity.blueprint)!, entity);
      if (issues.length) {
        failures.push({
          identifier: entity.identifier,
          reason: issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
          ...(issues[0] ? { field: issues[0].field } : {}),
        });
        return;
      }
      const absent = missing.size ? this.targetsOf(entity).filter((target) => missing.has(keyOf(target))) : [];
      if (absent.length && !this.context.createMissingRelatedEntities) {
        if (runId) parked.push(entity);
        failures.push({
          identifier: entity.identifier,
          reason: `related entity ${describeKeys(absent)} does not exist yet; ${runId ? 'retried after all resources' : 'the next resync writes it'}`,
        });
      } else {
        ready.push(entity);
      }
    });
    // Placeholders only for targets of entities being written now.
    const wanted = new Set(ready.flatMap((entity) => this.targetsOf(entity).map(keyOf)));
    const placeholders = this.context.createMissingRelatedEntities
      ? [...missing.values()].filter((t) => wanted.has(keyOf(t)))
      : [];
    await session.write(this.resource.writer, ready, { merge: this.context.merge, placeholders });
    if (runId) {
      await session.addPending(
        runId,
        parked.map((entity) => ({
          blueprint: entity.blueprint,
          identifier: entity.identifier,
          resourceIndex: this.resource.index,
          entity,
          reason: 'missing related entity',
        })),
      );
    }
    return { notChanged: unchanged.size, ingested: ready.length, failures };
  }

  /** The related entities of a batch that are not in the batch itself (their existence is checked). */
  private targetsOutside(entities: readonly SyncEntityInput[]): EntityKey[] {
    const inBatch = new Set(entities.map(keyOf));
    const targets = new Map<string, EntityKey>();
    for (const entity of entities) {
      for (const target of this.targetsOf(entity)) {
        const key = keyOf(target);
        if (!inBatch.has(key)) targets.set(key, target);
      }
    }
    return [...targets.values()];
  }

  private targetsOf(entity: SyncEntityInput): EntityKey[] {
    return relationTargets(this.context.blueprints.get(entity.blueprint)!, entity.relations);
  }

  private fail({ identifier, reason, field }: LoadFailure): void {
    this.tally.counts.ingestFailed++;
    this.tally.sample({ phase: 'load', reason, identifier, ...(field ? { field } : {}) });
  }
}

function inKeyOrder(a: EntityKey, b: EntityKey): number {
  return a.blueprint < b.blueprint
    ? -1
    : a.blueprint > b.blueprint
      ? 1
      : a.identifier < b.identifier
        ? -1
        : a.identifier > b.identifier
          ? 1
          : 0;
}

export function keyOf(key: EntityKey): string {
  return `${key.blueprint}\u0000${key.identifier}`;
}

function describeKeys(keys: readonly EntityKey[]): string {
  return keys.map((key) => `${key.blueprint}/${key.identifier}`).join(', ');
}

/** Text for people: the characters that cannot be shown or stored (NUL, lone surrogates) as `\uXXXX`. */
function visible(text: string): string {
  return text.replace(UNSHOWABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// eslint-disable-next-line no-control-regex -- NUL is one of the characters shown escaped
const UNSHOWABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
