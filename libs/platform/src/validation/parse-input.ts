import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import type { FieldIssue } from './field-issue.js';
import { untrustedInputIssues } from './untrusted-input.js';

export type { FieldIssue } from './field-issue.js';

/** Renders a zod path the way users write it: `a.b[2].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return out ? `${out}.${name}` : name;
  }, '');
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ field: formatPath(issue.path) || '(root)', message: issue.message }));
}

/** A VALIDATION_FAILED error naming every bad field; the first one leads the message. */
export function validationError(issues: readonly FieldIssue[], subject = 'input'): DomainError {
  const [first] = issues;
  const summary = first ? `${first.field}: ${first.message}` : 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new DomainError('VALIDATION_FAILED', `Invalid ${subject}: ${summary}${more}`, { fields: issues });
}

/**
 * Parses untrusted input or throws VALIDATION_FAILED naming every bad field. Before the schema,
 * anything no field may hold is refused (NUL, lone surrogates, `__proto__` keys, deep nesting).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, subject?: string): z.output<S> {
  const hostile = untrustedInputIssues(input);
  if (hostile.length) throw validationError(hostile, subject);
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(fieldIssues(result.error), subject);
  return result.data;
}
