import { Injectable } from '@nestjs/common';
import { DomainError, validationError, type FieldIssue } from '@mooring/platform';
import {
  BlueprintRepository,
  EntityRepository,
  type BlueprintRecord,
  type DeleteEntitiesResult,
  type EntityInput,
  type EntityKey,
  type EntityListQuery,
  type EntityRecord,
} from '@mooring/persistence';
import { EntityValidator, relationTargets } from './entity-validator.js';

export interface WriteOptions {
  /** Replace (or merge into) an existing entity instead of refusing it. */
  readonly upsert: boolean;
  /** Merge properties and relations into the stored ones instead of replacing them. */
  readonly merge: boolean;
  /** Create bare entities for relation targets that do not exist, instead of refusing. */
  readonly createMissingRelatedEntities: boolean;
}

export interface BulkResult {
  readonly entities: Array<{ identifier: string; index: number; created: boolean }>;
  readonly errors: Array<{ identifier: string | null; index: number; code: string; message: string; fields: FieldIssue[] }>;
}

interface Prepared {
  readonly entity?: EntityInput;
  readonly missingTargets: EntityKey[];
  readonly issues: FieldIssue[];
  readonly conflict?: boolean;
}

/** Entities through the API: validated against their blueprint, related entities checked. */
@Injectable()
export class EntityService {
  private readonly validator = new EntityValidator();

  constructor(
    private readonly blueprints: BlueprintRepository,
    private readonly entities: EntityRepository,
  ) {}

  async get(orgId: string, blueprint: string, identifier: string): Promise<EntityRecord> {
    await this.blueprint(orgId, blueprint);
    const entity = await this.entities.find(orgId, blueprint, identifier);
    if (!entity) throw entityNotFound(blueprint, identifier);
    return entity;
  }

  /** A page in identifier order and the identifier to continue after, if there is more. */
  async list(
    orgId: string,
    blueprint: string,
    query: EntityListQuery,
  ): Promise<{ entities: EntityRecord[]; next: string | null }> {
    await this.blueprint(orgId, blueprint);
    const rows = await this.entities.list(orgId, blueprint, { ...query, limit: query.limit + 1 });
    const entities = rows.slice(0, query.limit);
    return { entities, next: rows.length > query.limit ? (entities.at(-1)?.identifier ?? null) : null };
  }

  async upsert(
    orgId: string,
    blueprintId: string,
    input: EntityInput,
    options: WriteOptions,
  ): Promise<{ entity: EntityRecord; created: boolean }> {
    const blueprint = await this.blueprint(orgId, blueprintId);
    const [existing] = await this.entities.findMany(orgId, [{ blueprint: blueprintId, identifier: input.identifier }]);
    const prepared = await this.prepare(orgId, blueprint, [input], existing ? [existing] : [], options);
    const [result] = prepared;
    if (result?.conflict) throw conflict(blueprintId, input.identifier);
    if (!result?.entity) throw validationError(result?.issues ?? [], 'entity');
    const [written] = await this.entities.write(orgId, [result.entity], result.missingTargets);
    return { entity: await this.get(orgId, blueprintId, input.identifier), created: written?.created ?? false };
  }

  /** Updates an existing entity, merging the given properties and relations (PATCH). */
  async patch(
    orgId: string,
    blueprintId: string,
    identifier: string,
    input: Omit<EntityInput, 'identifier' | 'blueprint'>,
    createMissing: boolean,
  ): Promise<EntityRecord> {
    await this.get(orgId, blueprintId, identifier);
    const { entity } = await this.upsert(
      orgId,
      blueprintId,
      { ...input, identifier, blueprint: blueprintId },
      { upsert: true, merge: true, createMissingRelatedEntities: createMissing },
    );
    return entity;
  }

  /** Port's bulk upsert: each entity succeeds or fails on its own; the valid ones are written together. */
  async bulkUpsert(
    orgId: string,
    blueprintId: string,
    inputs: readonly EntityInput[],
    options: WriteOptions,
  ): Promise<BulkResult> {
    const blueprint = await this.blueprint(orgId, blueprintId);
    const existing = await this.entities.findMany(
      orgId,
      inputs.map((input) => ({ blueprint: blueprintId, identifier: input.identifier })),
    );
    const prepared = await this.prepare(orgId, blueprint, inputs, existing, options);
    const errors: BulkResult['errors'] = [];
    const valid: Array<{ index: number; entity: EntityInput; missing: EntityKey[] }> = [];
    const seen = new Set<string>();
    prepared.forEach((result, index) => {
      const identifier = inputs[index]?.identifier ?? null;
      if (identifier !== null && seen.has(identifier)) {
        errors.push({ identifier, index, code: 'CONFLICT', message: 'The identifier appears twice in the request', fields: [] });
      } else if (result.conflict) {
        errors.push({ identifier, index, code: 'CONFLICT', message: 'The entity already exists (pass upsert=true)', fields: [] });
      } else if (!result.entity) {
        const error = validationError(result.issues, 'entity');
        errors.push({ identifier, index, code: error.code, message: error.message, fields: result.issues });
      } else {
        valid.push({ index, entity: result.entity, missing: result.missingTargets });
      }
      if (identifier !== null) seen.add(identifier);
    });
    const written = valid.length
      ? await this.entities.write(
          orgId,
          valid.map((v) => v.entity),
          dedupe(valid.flatMap((v) => v.missing)),
        )
      : [];
    const created = new Map(written.map((row) => [row.identifier, row.created]));
    return {
      entities: valid.map((v) => ({
        identifier: v.entity.identifier,
        index: v.index,
        created: created.get(v.entity.identifier) ?? false,
      })),
      errors,
    };
  }

  async delete(
    orgId: string,
    blueprint: string,
    identifier: string,
    options: { deleteDependents: boolean },
  ): Promise<DeleteEntitiesResult> {
    await this.get(orgId, blueprint, identifier);
    const result = await this.entities.delete(orgId, blueprint, [identifier], options);
    const blocked = result.blocked[0];
    if (blocked) {
      throw new DomainError(
        'CONFLICT',
        `Entity "${identifier}" is required by ${blocked.requiredBy.blueprint}/${blocked.requiredBy.identifier}; pass delete_dependents=true to delete its dependents too`,
        { reason: 'has_dependents', requiredBy: blocked.requiredBy },
      );
    }
    return result;
  }

  /** Uninstalling with deleteEntities: the installation's entities go; others' relations to them dangle, as in Port. */
  deleteEntities(orgId: string, installationId: string): Promise<number> {
    return this.entities.deleteOwnedBy(orgId, installationId);
  }

  private async blueprint(orgId: string, identifier: string): Promise<BlueprintRecord> {
    const blueprint = await this.blueprints.find(orgId, identifier);
    if (!blueprint)
      throw new DomainError('NOT_FOUND', `Blueprint "${identifier}" not found`, { resource: 'blueprint', identifier });
    return blueprint;
  }

  /** Merges, validates and checks the related entities of each input, in order. */
  private async prepare(
    orgId: string,
    blueprint: BlueprintRecord,
    inputs: readonly EntityInput[],
    existing: readonly EntityRecord[],
    options: WriteOptions,
  ): Promise<Prepared[]> {
    const stored = new Map(existing.map((entity) => [entity.identifier, entity]));
    const merged = inputs.map((input): Prepared => {
      const current = stored.get(input.identifier);
      if (current && !current.placeholder && !options.upsert) return { missingTargets: [], issues: [], conflict: true };
      const entity: EntityInput =
        current && options.merge
          ? {
              blueprint: blueprint.identifier,
              identifier: input.identifier,
              title: input.title === undefined ? current.title : input.title,
              icon: input.icon === undefined ? current.icon : input.icon,
              team: input.team ?? current.team,
              properties: { ...current.properties, ...input.properties },
              relations: { ...current.relations, ...input.relations },
            }
          : { ...input, blueprint: blueprint.identifier };
      const issues = this.validator.validate(blueprint, entity);
      return issues.length ? { missingTargets: [], issues } : { entity, missingTargets: [], issues: [] };
    });
    const targets = dedupe(merged.flatMap((p) => (p.entity ? relationTargets(blueprint, p.entity.relations) : [])));
    const batchKeys = new Set(merged.flatMap((p) => (p.entity ? [keyOf(p.entity)] : [])));
    const missing = new Set(
      (await this.entities.findMissing(orgId, targets)).filter((key) => !batchKeys.has(keyOf(key))).map(keyOf),
    );
    if (!missing.size) return merged;
    return merged.map((p) => {
      if (!p.entity) return p;
      const absent = relationTargets(blueprint, p.entity.relations).filter((target) => missing.has(keyOf(target)));
      if (!absent.length) return p;
      if (options.createMissingRelatedEntities) return { ...p, missingTargets: absent };
      const issues = Object.entries(p.entity.relations).flatMap(([name, value]) => {
        const target = blueprint.relations[name]?.target;
        const ids: readonly string[] = value === null || value === undefined ? [] : typeof value === 'string' ? [value] : value;
        return ids
          .filter((id) => target && missing.has(keyOf({ blueprint: target, identifier: id })))
          .map((id) => ({ field: `relations.${name}`, message: `related entity ${target}/${id} does not exist` }));
      });
      return { missingTargets: [], issues };
    });
  }
}

function keyOf(key: EntityKey): string {
  return `${key.blueprint}\u0000${key.identifier}`;
}

function dedupe(keys: readonly EntityKey[]): EntityKey[] {
  return [...new Map(keys.map((key) => [keyOf(key), key])).values()];
}

function entityNotFound(blueprint: string, identifier: string): DomainError {
  return new DomainError('NOT_FOUND', `Entity "${identifier}" of blueprint "${blueprint}" not found`, {
    resource: 'entity',
    blueprint,
    identifier,
  });
}

function conflict(blueprint: string, identifier: string): DomainError {
  return new DomainError(
    'CONFLICT',
    `Entity "${identifier}" of blueprint "${blueprint}" already exists; pass upsert=true to replace it`,
    {
      resource: 'entity',
      blueprint,
      identifier,
    },
  );
}
