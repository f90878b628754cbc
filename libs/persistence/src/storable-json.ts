import { storableText } from '@mooring/platform';

// What JSON.stringify writes for the characters PostgreSQL refuses in jsonb: NUL and lone surrogates.
const UNSTORABLE_ESCAPES = /\\u0000|\\ud[89a-f]/i;

/**
 * JSON text for a jsonb parameter. Data from tools may hold NUL characters or lone surrogates,
 * which jsonb refuses (failing the whole statement): they are removed (NUL) or replaced (U+FFFD),
 * in values and keys. Data without them (nearly all) is serialised once, as plain JSON.stringify.
 */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return UNSTORABLE_ESCAPES.test(text) ? (JSON.stringify(value, storableReplacer) ?? 'null') : text;
}

function storableReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const entries = Object.entries(value);
  if (!entries.some(([key]) => storableText(key) !== key)) return value;
  return Object.fromEntries(entries.map(([key, inner]) => [storableText(key), inner]));
}

/**
 * `text`, JSON that parses to `parsed`, as a jsonb parameter without serialising `parsed` again:
 * the text itself when it has no escape jsonb refuses, else `storableJson(parsed)`.
 */
export function storableJsonText(text: string, parsed: unknown): string {
  return UNSTORABLE_ESCAPES.test(text) ? storableJson(parsed) : text;
}

/** PostgreSQL refused the data itself (SQLSTATE classes 22 "data exception" and 54 "program limit exceeded"), not the connection or a bug. */
export function isRefusedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

/** `value` as jsonb can store it (see storableJson), for writes through Prisma; the same value when nothing needs cleaning. */
export function storableValue<T>(value: T): T {
  const text = JSON.stringify(value);
  return text !== undefined && UNSTORABLE_ESCAPES.test(text) ? (JSON.parse(storableJson(value)) as T) : value;
}
