import { z } from 'zod';
import { unsafePatternReason } from '@mooring/platform';

// The JSON-schema subset Port accepts for blueprint properties, and the relation shape. Anything
// else is refused when a blueprint is saved, so validators never meet a keyword they ignore.

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

export const entityIdentifier = z
  .string()
  .min(1, 'must not be empty')
  .max(1000)
  .refine((value) => ![...value].some((c) => c.charCodeAt(0) < 0x20), 'must not contain control characters');

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
      .superRefine((source, ctx) => {
        const reason = patternProblem(source);
        if (reason) ctx.addIssue({ code: 'custom', message: reason });
      })
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

/** A pattern must be valid JavaScript (JSON schema's dialect) and run on the linear-time engine. */
function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
  } catch {
    return 'must be a valid regular expression';
  }
  const unsafe = unsafePatternReason(source, 'u');
  return unsafe ? `is not supported: ${unsafe}` : undefined;
}
