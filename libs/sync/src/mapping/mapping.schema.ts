import { z } from 'zod';

// Port's port-app-config shape. Every leaf is an expression: JSONata (the default), or JQ exactly as
// Port users write it with `language: jq` (Port's quoting rules; see jq/port-jq.ts). Unknown keys
// are refused everywhere except in a selector, whose extra keys belong to the integration's kind.

export const MAPPING_LANGUAGES = ['jsonata', 'jq'] as const;
export type MappingLanguage = (typeof MAPPING_LANGUAGES)[number];

const expression = z.string().trim().min(1, 'must be an expression').max(10_000, 'is longer than 10,000 characters');

export const entityMappingsSchema = z.strictObject({
  identifier: expression,
  title: expression.optional(),
  blueprint: expression,
  icon: expression.optional(),
  team: expression.optional(),
  properties: z.record(z.string().min(1), expression).default({}),
  relations: z.record(z.string().min(1), expression).default({}),
});

export const resourceSchema = z.strictObject({
  kind: z.string().min(1),
  selector: z.looseObject({ query: expression.default('true') }).default({ query: 'true' }),
  port: z.strictObject({
    entity: z.strictObject({ mappings: entityMappingsSchema }),
    itemsToParse: expression.optional(),
    itemsToParseName: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain key name')
      .default('item'),
    itemsToParseTopLevelTransform: z.boolean().default(true),
  }),
});

export const mappingSchema = z.strictObject({
  language: z.enum(MAPPING_LANGUAGES).default('jsonata'),
  deleteDependentEntities: z.boolean().default(true),
  createMissingRelatedEntities: z.boolean().default(true),
  enableMergeEntity: z.boolean().default(true),
  entityDeletionThreshold: z.number().min(0).max(1).default(0.9),
  resources: z.array(resourceSchema).max(100).default([]),
});

export type MappingConfig = z.output<typeof mappingSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
export type EntityMappings = z.output<typeof entityMappingsSchema>;
