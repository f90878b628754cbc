import { entityIdentifier } from '@mooring/contract';
import { MAX_INPUT_DEPTH, storableText, textProblem } from '@mooring/platform';
import type { RelationValue } from '@mooring/persistence';
import { keyPath } from '../mapping/field-path.js';
import type { MappedEntity } from '../mapping/index.js';

export type Storable = { readonly entity: MappedEntity } | { readonly field: string; readonly reason: string };

class TooDeep extends Error {
  constructor(readonly field: string) {
    super(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
  }
}

/**
 * What a sync can store of a mapped entity. Tools send text PostgreSQL cannot hold (a GitHub issue
 * body may contain NUL): in titles, icons and properties (values and names), NUL characters are
 * removed and lone surrogates replaced with U+FFFD. Keys are never changed, since a changed key is
 * another entity: a blueprint, identifier, team or relation target holding such a character fails
 * its item (before anything is staged), as do identifiers PostgreSQL's index cannot hold and
 * properties nesting deeper than MAX_INPUT_DEPTH. Returns the entity itself when nothing needed
 * cleaning.
 */
export function storableEntity(entity: MappedEntity): Storable {
  const identifiers: Array<[string, string]> = [
    ['identifier', entity.identifier],
    ...Object.entries(entity.relations).flatMap(([name, value]) =>
      relationIds(value).map((id, index): [string, string] => [
        `relations${keyPath(name)}${Array.isArray(value) ? `[${index}]` : ''}`,
        id,
      ]),
    ),
  ];
  for (const [field, identifier] of identifiers) {
    const problem = textProblem(identifier) ?? entityIdentifier.safeParse(identifier).error?.issues[0]?.message;
    if (problem) return { field, reason: `${field} ${problem}` };
  }
  const names: Array<[string, string]> = [
    ['blueprint', entity.blueprint],
    ...(entity.team ?? []).map((team, index): [string, string] => [`team[${index}]`, team]),
  ];
  for (const [field, name] of names) {
    const problem = textProblem(name);
    if (problem) return { field, reason: `${field} ${problem}` };
  }
  try {
    const title = typeof entity.title === 'string' ? storableText(entity.title) : entity.title;
    const icon = typeof entity.icon === 'string' ? storableText(entity.icon) : entity.icon;
    const properties = storable(entity.properties, 'properties', 0) as Record<string, unknown>;
    if (title === entity.title && icon === entity.icon && properties === entity.properties) return { entity };
    return {
      entity: {
        ...entity,
        ...(title !== undefined ? { title } : {}),
        ...(icon !== undefined ? { icon } : {}),
        properties,
      },
    };
  } catch (error) {
    if (error instanceof TooDeep) return { field: error.field, reason: `${error.field} ${error.message}` };
    throw error;
  }
}

function relationIds(value: RelationValue): readonly string[] {
  return value === null ? [] : typeof value === 'string' ? [value] : value;
}

/** The value with its text made storable; the same value (not a copy) when nothing changed. */
function storable(value: unknown, field: string, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_INPUT_DEPTH) throw new TooDeep(field);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((element: unknown, index) => {
      const cleaned = storable(element, `${field}[${index}]`, depth + 1);
      if (cleaned !== element) (copy ??= (value as unknown[]).slice())[index] = cleaned;
    });
    return copy ?? value;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, element]): [string, unknown] => {
    const cleanKey = storableText(key);
    const cleaned = storable(element, `${field}${keyPath(cleanKey)}`, depth + 1);
    if (cleanKey !== key || cleaned !== element) changed = true;
    return [cleanKey, cleaned];
  });
  return changed ? Object.fromEntries(entries) : value;
}
