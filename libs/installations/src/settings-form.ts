import { z } from 'zod';
import type { IntegrationDefinition, SettingField } from '@mooring/integrations';
import { parseInput } from '@mooring/platform';

/** Settings as submitted, split into what is stored in clear and what is encrypted. */
export interface ParsedSettings {
  readonly settings: Record<string, string>;
  readonly secrets: Record<string, string>;
  /** Optional fields sent empty in a partial update: to be removed. */
  readonly cleared: readonly string[];
}

const MAX_VALUE_LENGTH = 4_096;

export function settingFields(integration: IntegrationDefinition): readonly SettingField[] {
  return integration.auth.customSettings?.fields ?? [];
}

function fieldSchema(field: SettingField, partial: boolean): z.ZodType<string | undefined> {
  const base = z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .max(MAX_VALUE_LENGTH);
  if (!field.required) return base.optional();
  return partial ? base.min(1, 'is required').optional() : base.min(1, 'is required');
}

/**
 * Validates a custom-settings form (at `settings` in the request): known fields only, required
 * ones present unless `partial`. URL fields are only checked for length here; the SSRF guard
 * decides whether they are acceptable (HOST_NOT_ALLOWED).
 */
export function parseSettings(
  fields: readonly SettingField[],
  input: unknown,
  options: { partial?: boolean; only?: (field: SettingField) => boolean } = {},
): ParsedSettings {
  const allowed = fields.filter(options.only ?? (() => true));
  const shape = Object.fromEntries(allowed.map((field) => [field.name, fieldSchema(field, options.partial ?? false)]));
  const { settings: values } = parseInput(
    z.strictObject({ settings: z.strictObject(shape) }),
    { settings: input ?? {} },
    'settings',
  );
  const parsed: { settings: Record<string, string>; secrets: Record<string, string>; cleared: string[] } = {
    settings: {},
    secrets: {},
    cleared: [],
  };
  for (const field of allowed) {
    const value = (values as Record<string, string | undefined>)[field.name];
    if (value === undefined) continue;
    if (value === '') parsed.cleared.push(field.name);
    else (field.sensitive ? parsed.secrets : parsed.settings)[field.name] = value;
  }
  return parsed;
}

/** The JSON Schema of the form, for clients that render it; sensitive fields are write-only. */
export function settingsJsonSchema(fields: readonly SettingField[]): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: fields.filter((field) => field.required).map((field) => field.name),
    properties: Object.fromEntries(
      fields.map((field) => [
        field.name,
        {
          type: 'string',
          title: field.title,
          description: field.description,
          maxLength: MAX_VALUE_LENGTH,
          ...(field.type === 'url' ? { format: 'uri' } : {}),
          ...(field.sensitive ? { writeOnly: true } : {}),
        },
      ]),
    ),
  };
}

// Short secrets would give away too much of themselves in 4 characters.
const MIN_LENGTH_FOR_HINT = 16;

/** Per secret, its last 4 characters when it is long enough that they reveal little. */
export function secretHints(secrets: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [name, value.length >= MIN_LENGTH_FOR_HINT ? value.slice(-4) : '']),
  );
}
