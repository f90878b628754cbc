import type { blueprint as blueprintSchema, entity as entitySchema, Reply } from '@mooring/contract';
import { textProblem, validationError } from '@mooring/platform';
import type { BlueprintRecord, EntityRecord } from '@mooring/persistence';

// Response shapes of the catalog API (the contract has them), and its entity cursor.

/** An entity cursor is the last identifier of the previous page, base64url-encoded. */
export function decodeEntityCursor(cursor: string): string {
  const identifier = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!identifier || textProblem(identifier) || Buffer.from(identifier, 'utf8').toString('base64url') !== cursor) {
    throw validationError([{ field: 'cursor', message: 'is not a cursor this API returned' }], 'query');
  }
  return identifier;
}

export function encodeCursor(identifier: string | null): string | null {
  return identifier === null ? null : Buffer.from(identifier, 'utf8').toString('base64url');
}

export function blueprintView(blueprint: BlueprintRecord): Reply<typeof blueprintSchema> {
  return {
    identifier: blueprint.identifier,
    title: blueprint.title,
    icon: blueprint.icon,
    description: blueprint.description,
    schema: { properties: blueprint.schema.properties, required: blueprint.schema.required ?? [] },
    relations: blueprint.relations,
    version: blueprint.version,
    createdAt: blueprint.createdAt.toISOString(),
    updatedAt: blueprint.updatedAt.toISOString(),
  };
}

export function entityView(entity: EntityRecord): Reply<typeof entitySchema> {
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
