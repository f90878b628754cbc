import type { RelationValue } from '@mooring/persistence';
import { keyPath } from './field-path.js';
import { LIMITS, type MappingErrorCode } from './limits.js';

/** What a mapping makes of one item, before the catalog checks it against its blueprint. */
export interface MappedEntity {
  readonly blueprint: string;
  readonly identifier: string;
  /** Undefined when the mapping has no such field (merging keeps the stored value). */
  readonly title?: string | null;
  readonly icon?: string | null;
  readonly team?: string[];
  readonly properties: Record<string, unknown>;
  readonly relations: Record<string, RelationValue>;
}

/** A field whose expression failed and was set to null, as Port does for JQ ("misconfiguration"). */
export interface FieldWarning {
  readonly field: string;
  readonly reason: string;
}

export interface MappingFailure {
  readonly code: MappingErrorCode;
  readonly reason: string;
  readonly field?: string;
  readonly identifier?: string;
}

/** What became of one expanded item of a page; `item` is the raw item's position in the page. */
export type ItemOutcome =
  | {
      readonly item: number;
      readonly outcome: 'entity';
      readonly entity: MappedEntity;
      readonly warnings?: readonly FieldWarning[];
    }
  | { readonly item: number; readonly outcome: 'filtered' }
  | ({ readonly item: number; readonly outcome: 'failed' } & MappingFailure);

/** The leaves of an entity mapping, evaluated: `{identifier, title, …, properties: {…}, relations: {…}}`. */
export type RawEntity = Record<string, unknown>;

export const SCALAR_FIELDS = ['identifier', 'title', 'blueprint', 'icon', 'team'] as const;

/**
 * Checks and shapes the evaluated leaves: identifier and blueprint must be non-empty text, team a
 * name or a list of names, relations identifiers; no larger than LIMITS.entityChars, so that what
 * follows never builds a huge string from it (the loader then applies Port's 1 MiB per entity).
 * A declared field that yields nothing is null (as in Ocean): the entity says "no value" instead
 * of keeping a stale one when writes merge.
 */
export function shapeEntity(raw: RawEntity, at: string): { entity: MappedEntity } | MappingFailure {
  const invalid = (reason: string, field: string, identifier?: string): MappingFailure => ({
    code: 'INVALID_ENTITY',
    reason,
    field,
    ...(identifier ? { identifier } : {}),
  });
  const identifier = asText(raw['identifier']);
  if (!identifier) return invalid('identifier is empty (null, missing or "")', `${at}.identifier`);
  const blueprint = asText(raw['blueprint']);
  if (!blueprint) return invalid('blueprint is empty (null, missing or "")', `${at}.blueprint`, identifier);

  const entity: { -readonly [K in keyof MappedEntity]: MappedEntity[K] } = {
    blueprint,
    identifier,
    properties: { ...((raw['properties'] as Record<string, unknown> | undefined) ?? {}) },
    relations: {},
  };
  if ('title' in raw) entity.title = asText(raw['title']) ?? null;
  if ('icon' in raw) entity.icon = asText(raw['icon']) ?? null;
  if ('team' in raw) {
    const team = raw['team'];
    const teams = team === null || team === undefined ? [] : Array.isArray(team) ? (team as unknown[]) : [team];
    if (teams.some((t) => typeof t !== 'string'))
      return invalid('team must be a name or a list of names', `${at}.team`, identifier);
    entity.team = teams as string[];
  }
  for (const [name, value] of Object.entries((raw['relations'] as Record<string, unknown> | undefined) ?? {})) {
    const relation = asRelation(value);
    if (relation === undefined) {
      return invalid(
        'a relation must be an entity identifier, a list of them, or null',
        `${at}.relations${keyPath(name)}`,
        identifier,
      );
    }
    entity.relations[name] = relation;
  }
  if (larger(entity, LIMITS.entityChars)) {
    return { code: 'SIZE_LIMIT', reason: `the entity is larger than ${LIMITS.entityChars} characters`, identifier };
  }
  return { entity };
}

/** Whether a value's strings and keys add up to more than `limit` characters (stops early). */
function larger(value: unknown, limit: number): boolean {
  return size(value, limit) > limit;
}

function size(value: unknown, limit: number): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  let total = 0;
  if (Array.isArray(value)) {
    for (const element of value as unknown[]) {
      total += size(element, limit - total);
      if (total > limit) return total;
    }
    return total;
  }
  for (const key in value) {
    total += key.length + size((value as Record<string, unknown>)[key], limit - total - key.length);
    if (total > limit) return total;
  }
  return total;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function asRelation(value: unknown): RelationValue | undefined {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const ids: string[] = [];
    for (const element of value as unknown[]) {
      if (element === null || element === undefined) continue;
      const id = asText(element);
      if (id === undefined) return undefined;
      ids.push(id);
    }
    return ids;
  }
  return asText(value);
}
