import { z } from 'zod';
import { isoDateTime } from './common.js';

// The catalog after Port's API: blueprints (a JSON-schema subset for properties, relations) and
// entities (/v1/blueprints/:blueprint/entities). Anything else is refused when a blueprint is
// saved, so validators never meet a keyword they ignore.

export const PROPERTY_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;

/** Formats of string properties. Those without a checkable syntax only tell the UI how to render. */
export const STRING_FORMATS = [
  'url',
  'email',
  'date-time',
  'ipv4',
  'ipv6',
  'markdown',
  'yaml',
  'user',
  'team',
  'timer',
  'proto',
] as const;

export const blueprintIdentifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9@_=-]+$/, 'may contain only letters, digits and @ _ = -');

/** Bytes of a string as UTF-8 (no TextEncoder: the contract runs with no DOM and no Node types). */
function utf8Bytes(value: string): number {
  let bytes = 0;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export const entityIdentifier = z
  .string()
  .min(1, 'must not be empty')
  .max(1000)
  .refine((value) => ![...value].some((c) => c.charCodeAt(0) < 0x20), 'must not contain control characters')
  // PostgreSQL's index holds keys up to about 2.7 kB: a longer one is refused, not stored.
  .refine((value) => utf8Bytes(value) <= 2000, 'must be at most 2,000 bytes as UTF-8');

const itemsSchema = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'object']),
  format: z.enum(STRING_FORMATS).optional(),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
});

export const propertySchema = z
  .strictObject({
    type: z.enum(PROPERTY_TYPES),
    title: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    icon: z.string().max(100).optional(),
    format: z.enum(STRING_FORMATS).optional(),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    enumColors: z.record(z.string(), z.string()).optional(),
    default: z.json().optional(),
    items: itemsSchema.optional(),
    pattern: z
      .string()
      .max(500)
      .refine((source) => isRegExp(source), 'must be a valid regular expression')
      .optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minItems: z.number().int().nonnegative().optional(),
    maxItems: z.number().int().nonnegative().optional(),
    spec: z.string().max(100).optional(),
  })
  .superRefine((property, ctx) => {
    if (property.format && property.type !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'only string properties have a format' });
    }
    if (property.items && property.type !== 'array') {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'only array properties have items' });
    }
  });

export const relationSchema = z.strictObject({
  target: blueprintIdentifier,
  title: z.string().max(200).optional(),
  many: z.boolean().default(false),
  required: z.boolean().default(false),
});

export const blueprintBody = z.strictObject({
  identifier: blueprintIdentifier,
  title: z.string().trim().min(1).max(200),
  icon: z.string().max(100).nullish(),
  description: z.string().max(2000).nullish(),
  schema: z
    .strictObject({
      properties: z.record(z.string().regex(/^[A-Za-z0-9_$-]{1,100}$/, 'is not a valid property name'), propertySchema),
      required: z.array(z.string()).default([]),
    })
    .superRefine((schema, ctx) => {
      schema.required.forEach((name, index) => {
        if (!(name in schema.properties)) {
          ctx.addIssue({ code: 'custom', path: ['required', index], message: `"${name}" is not a property` });
        }
      });
    })
    .default({ properties: {}, required: [] }),
  relations: z.record(z.string().regex(/^[A-Za-z0-9_$-]{1,100}$/, 'is not a valid relation name'), relationSchema).default({}),
});

export type BlueprintBody = z.output<typeof blueprintBody>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

export const blueprint = z.object({
  identifier: z.string(),
  title: z.string(),
  icon: z.string().nullable(),
  description: z.string().nullable(),
  schema: z.object({ properties: z.record(z.string(), z.record(z.string(), z.unknown())), required: z.array(z.string()) }),
  relations: z.record(
    z.string(),
    z.object({ target: z.string(), title: z.string().optional(), many: z.boolean(), required: z.boolean() }),
  ),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true'));

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
  /** The `next` of the previous page. */
  cursor: z.string().min(1).max(2_000).optional(),
  search: z.string().min(1).max(200).optional(),
  installation_id: z.uuid({ error: 'must be a UUID' }).optional(),
});

export const entity = z.object({
  identifier: z.string(),
  blueprint: z.string(),
  title: z.string().nullable(),
  icon: z.string().nullable(),
  team: z.array(z.string()),
  properties: z.record(z.string(), z.unknown()),
  relations: z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()])),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /** Which installation and mapping resource (`kind-index`) wrote it last; null if written through the API. */
  installationId: z.string().nullable(),
  resource: z.string().nullable(),
  placeholder: z.boolean(),
});

const entityKey = z.object({ blueprint: z.string(), identifier: z.string() });

export const bulkEntitiesResult = z.object({
  entities: z.array(z.object({ identifier: z.string(), index: z.number().int(), created: z.boolean() })),
  errors: z.array(
    z.object({
      identifier: z.string().nullable(),
      index: z.number().int(),
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })),
    }),
  ),
});

export const deletedEntities = z.object({ deleted: z.array(entityKey) });
