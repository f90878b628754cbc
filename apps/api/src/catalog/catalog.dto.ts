import { z } from 'zod';
import { blueprintIdentifier, entityIdentifier } from '@mooring/catalog';
import type { BlueprintRecord, EntityRecord } from '@mooring/persistence';

// Request and response shapes of the catalog API, after Port's (/v1/blueprints/:blueprint/entities).

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true'));

export const blueprintParam = blueprintIdentifier;
export const entityParam = entityIdentifier;

export const deleteBlueprintQuery = z.strictObject({ delete_entities: flag(false) });

const team = z
  .union([z.string().min(1), z.array(z.string().min(1)).max(100)])
  .optional()
  .transform((value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]));
const relationValue = z.union([z.string().min(1), z.array(z.string().min(1)).max(1_000), z.null()]);

const entityFields = {
  title: z.string().max(1_000).nullish(),
  icon: z.string().max(100).nullish(),
  team,
  properties: z.record(z.string(), z.json()).default({}),
  relations: z.record(z.string(), relationValue).default({}),
};

export const entityBody = z.strictObject({ identifier: entityIdentifier, ...entityFields });
export const entityPatchBody = z.strictObject(entityFields);
export const bulkEntitiesBody = z.strictObject({ entities: z.array(entityBody).min(1).max(1_000) });

export const writeEntityQuery = z.strictObject({
  upsert: flag(false),
  merge: flag(false),
  create_missing_related_entities: flag(false),
});
export const patchEntityQuery = z.strictObject({ create_missing_related_entities: flag(false) });
export const deleteEntityQuery = z.strictObject({ delete_dependents: flag(false) });

export const listEntitiesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  cursor: z
    .string()
    .max(2_000)
    .optional()
    .transform((cursor, ctx) => {
      if (cursor === undefined) return undefined;
      const identifier = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!identifier || Buffer.from(identifier, 'utf8').toString('base64url') !== cursor) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return identifier;
    }),
  search: z.string().min(1).max(200).optional(),
  installation_id: z.uuid({ error: 'must be a UUID' }).optional(),
});

export function encodeCursor(identifier: string | null): string | null {
  return identifier === null ? null : Buffer.from(identifier, 'utf8').toString('base64url');
}

export function blueprintView(blueprint: BlueprintRecord) {
  return {
    identifier: blueprint.identifier,
    title: blueprint.title,
    icon: blueprint.icon,
    description: blueprint.description,
    schema: blueprint.schema,
    relations: blueprint.relations,
    version: blueprint.version,
    createdAt: blueprint.createdAt.toISOString(),
    updatedAt: blueprint.updatedAt.toISOString(),
  };
}

export function entityView(entity: EntityRecord) {
  return {
    identifier: entity.identifier,
    blueprint: entity.blueprint,
    title: entity.title,
    icon: entity.icon,
    team: entity.team,
    properties: entity.properties,
    relations: entity.relations,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    /** Which installation and mapping resource (`kind-index`) wrote it last; null if written through the API. */
    installationId: entity.installationId,
    resource: entity.resourceKey,
    placeholder: entity.placeholder,
  };
}
