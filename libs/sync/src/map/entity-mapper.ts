import type { RelationValue } from '@mooring/persistence';
import {
  compileExpression,
  describeJsonataError,
  formatExpressionError,
  type CompiledExpression,
} from '../mapping/jsonata-expression.js';
import { keyPath } from '../mapping/field-path.js';
import { FALLBACK, fastEvaluator, type FastEvaluator } from './fast-expression.js';
import type { EntityMappings } from '../mapping/mapping.schema.js';

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

export type MapOutcome =
  | { readonly outcome: 'entity'; readonly entity: MappedEntity }
  | {
      readonly outcome: 'failed';
      readonly reason: string;
      readonly field?: string;
      readonly identifier?: string;
      /** The evaluation hit the time guardrail. */
      readonly timedOut?: boolean;
    };

interface Leaf {
  /** Full path, e.g. `resources[0].port.entity.mappings.properties.url`. */
  readonly path: string;
  readonly source: string;
  readonly group?: 'properties' | 'relations';
  readonly name: string;
  readonly expression: CompiledExpression;
  /** Set for literals, plain paths and simple comparisons: evaluated without JSONata. */
  readonly fast?: FastEvaluator;
}

const SCALAR_FIELDS = ['identifier', 'title', 'blueprint', 'icon', 'team'] as const;

/**
 * Maps items with the resource's expressions compiled once per run. Literals and plain paths are
 * read directly (see fast-expression.ts); every other leaf goes into ONE JSONata object expression,
 * evaluated once per item (a third faster than a leaf at a time). Only when an evaluation fails are
 * the leaves evaluated one by one, to name the field and position that failed.
 */
export class EntityMapper {
  private readonly leaves: Leaf[] = [];
  private readonly fastLeaves: Leaf[];
  /** The object expression of the leaves that need JSONata, or null when none do. */
  private readonly whole: CompiledExpression | null;

  constructor(
    mappings: EntityMappings,
    private readonly pathPrefix: string,
  ) {
    for (const field of SCALAR_FIELDS) {
      const source = mappings[field];
      if (source !== undefined) this.leaves.push(leaf(`${pathPrefix}.${field}`, source, field));
    }
    for (const group of ['properties', 'relations'] as const) {
      for (const [name, source] of Object.entries(mappings[group])) {
        this.leaves.push(leaf(`${pathPrefix}.${group}${keyPath(name)}`, source, name, group));
      }
    }
    this.fastLeaves = this.leaves.filter((l) => l.fast);
    const slow = this.leaves.filter((l) => !l.fast);
    const field = (l: Leaf) => `${JSON.stringify(l.name)}: (${l.source}\n)`;
    const parts = slow.filter((l) => !l.group).map(field);
    for (const group of ['properties', 'relations'] as const) {
      const fields = slow.filter((l) => l.group === group).map(field);
      if (fields.length) parts.push(`${JSON.stringify(group)}: {${fields.join(', ')}}`);
    }
    this.whole = parts.length ? compileExpression(`{${parts.join(', ')}}`) : null;
  }

  async map(item: unknown): Promise<MapOutcome> {
    let raw: Record<string, unknown>;
    try {
      raw = this.whole ? (((await this.whole.evaluate(item)) as Record<string, unknown> | undefined) ?? {}) : {};
      for (const l of this.fastLeaves) {
        let value = l.fast!(item);
        if (value === FALLBACK) value = await l.expression.evaluate(item);
        if (value === undefined) continue;
        if (!l.group) raw[l.name] = value;
        else ((raw[l.group] ??= {}) as Record<string, unknown>)[l.name] = value;
      }
    } catch {
      return this.diagnose(item);
    }
    // Like Ocean, a declared field that yields nothing is null: the entity says "no value" instead
    // of keeping a stale one when writes merge.
    for (const l of this.leaves) {
      const holder = l.group ? ((raw[l.group] ??= {}) as Record<string, unknown>) : raw;
      if (holder[l.name] === undefined) holder[l.name] = null;
    }
    return normalize(raw, this.pathPrefix);
  }

  /** Finds the first leaf whose own evaluation fails, for a failure that names its field. */
  private async diagnose(item: unknown): Promise<MapOutcome> {
    // The identifier first (to name the item), then leaf by leaf up to the first failure: each
    // evaluation may run into the time guardrail, so none more than needed.
    const ordered = [...this.leaves].sort(
      (a, b) => Number(b.name === 'identifier' && !b.group) - Number(a.name === 'identifier' && !a.group),
    );
    let identifier: string | undefined;
    for (const l of ordered) {
      try {
        const value: unknown = await l.expression.evaluate(item);
        if (l.name === 'identifier' && !l.group && (typeof value === 'string' || typeof value === 'number')) {
          identifier = String(value);
        }
      } catch (error) {
        const described = describeJsonataError(error);
        return {
          outcome: 'failed',
          reason: formatExpressionError(described),
          field: l.path,
          ...(identifier ? { identifier } : {}),
          ...(described.code === 'D1012' ? { timedOut: true } : {}),
        };
      }
    }
    return { outcome: 'failed', reason: 'the mapping failed to evaluate', ...(identifier ? { identifier } : {}) };
  }
}

function leaf(path: string, source: string, name: string, group?: 'properties' | 'relations'): Leaf {
  const expression = compileExpression(source);
  const fast = fastEvaluator(expression);
  return { path, source, name, expression, ...(group ? { group } : {}), ...(fast ? { fast } : {}) };
}

function normalize(raw: Record<string, unknown>, at: string): MapOutcome {
  const identifier = asText(raw['identifier']);
  if (!identifier) {
    return { outcome: 'failed', reason: 'identifier is empty (null, missing or "")', field: `${at}.identifier` };
  }
  const blueprint = asText(raw['blueprint']);
  if (!blueprint)
    return { outcome: 'failed', reason: 'blueprint is empty (null, missing or "")', field: `${at}.blueprint`, identifier };

  const entity: { -readonly [K in keyof MappedEntity]: MappedEntity[K] } = {
    blueprint,
    identifier,
    properties: (raw['properties'] as Record<string, unknown> | undefined) ?? {},
    relations: {},
  };
  if ('title' in raw) entity.title = asText(raw['title']) ?? null;
  if ('icon' in raw) entity.icon = asText(raw['icon']) ?? null;
  if ('team' in raw) {
    const team = raw['team'];
    const teams = team === null || team === undefined ? [] : Array.isArray(team) ? team : [team];
    if (teams.some((t) => typeof t !== 'string'))
      return { outcome: 'failed', reason: 'team must be a name or a list of names', field: `${at}.team`, identifier };
    entity.team = teams as string[];
  }
  for (const [name, value] of Object.entries((raw['relations'] as Record<string, unknown> | undefined) ?? {})) {
    const relation = asRelation(value);
    if (relation === undefined) {
      return {
        outcome: 'failed',
        reason: 'a relation must be an entity identifier, a list of them, or null',
        field: `${at}.relations${keyPath(name)}`,
        identifier,
      };
    }
    entity.relations[name] = relation;
  }
  return { outcome: 'entity', entity };
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
