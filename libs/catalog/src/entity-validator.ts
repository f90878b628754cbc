import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { safeRegExpEngine, unsafePatternReason, type FieldIssue } from '@mooring/platform';
import type { BlueprintRecord, EntityInput, JsonRecord } from '@mooring/persistence';
import { entityIdentifier } from './blueprint.schema.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as `default.default`.
const addFormats = ajvFormats.default.default;

const MAX_CACHED_VALIDATORS = 2_000;
const RENDER_ONLY_FORMATS = ['markdown', 'yaml', 'user', 'team', 'timer', 'proto'];

/**
 * Validates entities against their blueprint. Each blueprint version is compiled to an ajv
 * validator once and cached (bounded), so a sync of 100k entities compiles one function per
 * blueprint, not one per entity. Null properties mean "not set" (as in Port) and are not checked.
 * `pattern`s run on RE2 (linear time): a tenant's pattern cannot stall the process.
 */
export class EntityValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, code: { regExp: safeRegExpEngine } });
  private readonly cache = new Map<string, ValidateFunction | FieldIssue[]>();

  constructor() {
    addFormats(this.ajv, ['uri', 'email', 'date-time', 'ipv4', 'ipv6']);
    for (const format of RENDER_ONLY_FORMATS) this.ajv.addFormat(format, true);
  }

  /** Every problem with the entity, each naming its field (`properties.url`, `relations.team`). */
  validate(blueprint: BlueprintRecord, entity: EntityInput): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const identifier = entityIdentifier.safeParse(entity.identifier);
    if (!identifier.success) issues.push({ field: 'identifier', message: identifier.error.issues[0]?.message ?? 'invalid' });
    if (entity.team?.some((team) => typeof team !== 'string' || !team)) {
      issues.push({ field: 'team', message: 'must be a list of team names' });
    }
    const validateProperties = this.compiled(blueprint);
    if (Array.isArray(validateProperties)) {
      issues.push(...validateProperties);
    } else if (!validateProperties(withoutNulls(entity.properties))) {
      for (const error of validateProperties.errors ?? []) issues.push(propertyIssue(error));
    }
    issues.push(...relationIssues(blueprint, entity.relations));
    return issues;
  }

  /** The blueprint's validator, or the issues that keep it from compiling (checked on every entity). */
  private compiled(blueprint: BlueprintRecord): ValidateFunction | FieldIssue[] {
    const key = `${blueprint.orgId}\u0000${blueprint.identifier}\u0000${blueprint.version}`;
    let validate = this.cache.get(key);
    if (!validate) {
      // A pattern saved before patterns had to run on RE2 would fail to compile: name it instead.
      const unsafe = Object.entries(blueprint.schema.properties).flatMap(([name, property]) => {
        const reason = typeof property['pattern'] === 'string' ? unsafePatternReason(property['pattern'], 'u') : undefined;
        return reason ? [{ field: `properties.${name}`, message: `the blueprint's pattern cannot be checked: ${reason}` }] : [];
      });
      validate = unsafe.length
        ? unsafe
        : this.ajv.compile({
            type: 'object',
            properties: Object.fromEntries(
              Object.entries(blueprint.schema.properties).map(([name, property]) => [name, toJsonSchema(property)]),
            ),
            required: [...(blueprint.schema.required ?? [])],
            additionalProperties: false,
          });
      if (this.cache.size >= MAX_CACHED_VALIDATORS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, validate);
    }
    return validate;
  }
}

/** Port's property keywords as standard JSON schema (`url` is JSON schema's `uri`; UI keywords dropped). */
function toJsonSchema(property: JsonRecord): JsonRecord {
  const { title: _t, description: _d, icon: _i, enumColors: _e, spec: _s, default: _default, format, items, ...rest } = property;
  const schema: Record<string, unknown> = { ...rest };
  if (typeof format === 'string') schema['format'] = format === 'url' ? 'uri' : format;
  if (items && typeof items === 'object') schema['items'] = toJsonSchema(items as JsonRecord);
  return schema;
}

function withoutNulls(properties: JsonRecord): JsonRecord {
  let copy: Record<string, unknown> | undefined;
  for (const key in properties) {
    if (properties[key] === null || properties[key] === undefined) {
      copy ??= { ...properties };
      delete copy[key];
    }
  }
  return copy ?? properties;
}

function propertyIssue(error: { instancePath: string; message?: string; params: Record<string, unknown> }): FieldIssue {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment.replaceAll('~1', '/').replaceAll('~0', '~')}`))
    .join('');
  if (typeof error.params['missingProperty'] === 'string') {
    return { field: `properties.${error.params['missingProperty']}`, message: 'is required' };
  }
  if (typeof error.params['additionalProperty'] === 'string') {
    return { field: `properties.${error.params['additionalProperty']}`, message: 'is not a property of the blueprint' };
  }
  return { field: `properties${path}`, message: error.message ?? 'is invalid' };
}

function relationIssues(blueprint: BlueprintRecord, relations: EntityInput['relations']): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(relations)) {
    const definition = blueprint.relations[name];
    const field = `relations.${name}`;
    if (!definition) {
      issues.push({ field, message: 'is not a relation of the blueprint' });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (definition.many) {
      if (!Array.isArray(value) || value.some((target) => typeof target !== 'string' || !target)) {
        issues.push({ field, message: 'must be a list of entity identifiers (the relation is "many")' });
      }
    } else if (typeof value !== 'string' || !value) {
      issues.push({ field, message: 'must be one entity identifier' });
    }
  }
  for (const [name, definition] of Object.entries(blueprint.relations)) {
    const value = relations[name];
    if (definition.required && (value === null || value === undefined || (Array.isArray(value) && !value.length))) {
      issues.push({ field: `relations.${name}`, message: 'is required' });
    }
  }
  return issues;
}

/** The (blueprint, identifier) pairs an entity relates to. */
export function relationTargets(
  blueprint: BlueprintRecord,
  relations: EntityInput['relations'],
): Array<{ blueprint: string; identifier: string }> {
  const targets: Array<{ blueprint: string; identifier: string }> = [];
  for (const [name, value] of Object.entries(relations)) {
    const target = blueprint.relations[name]?.target;
    if (!target || value === null || value === undefined) continue;
    const identifiers: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const identifier of identifiers) targets.push({ blueprint: target, identifier });
  }
  return targets;
}
