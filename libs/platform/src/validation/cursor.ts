import { DomainError } from '../errors/domain-error.js';
import { textProblem } from './untrusted-input.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opaque cursors for keyset pagination: the sort key of the last row returned. Opaque so clients
 * do not build them, validated so a mangled one is a 400 naming `cursor`, not a 500.
 */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** `valid` may check the parts further (a date, a uuid): a cursor holding anything else is refused too. */
export function decodeCursor(cursor: string, expectedParts: number, valid?: (parts: string[]) => boolean): string[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parts) &&
      parts.length === expectedParts &&
      parts.every((part): part is string => typeof part === 'string' && !textProblem(part)) &&
      (!valid || valid(parts))
    ) {
      return parts;
    }
  } catch {
    // fall through to the coded error
  }
  throw new DomainError('VALIDATION_FAILED', 'Invalid cursor: cursor: pass back the "next" value of the previous page', {
    fields: [{ field: 'cursor', message: 'is not a cursor this API returned' }],
  });
}

/** Checks a keyset cursor of a timestamp and a row id (`[createdAt, id]`), the usual newest-first key. */
export function isTimeAndId([at, id]: string[]): boolean {
  return at !== undefined && !Number.isNaN(new Date(at).getTime()) && id !== undefined && UUID.test(id);
}
