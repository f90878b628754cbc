import { z } from 'zod';
import { ERROR_CODES } from './error-codes.js';

/** Who may do what: the same three roles for people and API clients (member < moderator < admin). */
export const ROLES = ['member', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const role = z.enum(ROLES);

export const uuid = z.uuid({ error: 'must be a UUID' });
export const isoDateTime = z.string().describe('ISO 8601 date-time');
export const jsonObject = z.record(z.string(), z.unknown());
/** An opaque keyset cursor: pass back the `next` of the previous page. */
export const cursor = z.string().max(500);
export const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** A field a request got wrong: `a.b[2].c` and why. */
export const fieldIssue = z.object({ field: z.string(), message: z.string() });

/** Every failure: a stable code, a message for people, details (e.g. `fields` for VALIDATION_FAILED). */
export const errorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});
export type ErrorBody = z.output<typeof errorBody>;

/** A name people give something: no control characters (PostgreSQL text cannot even hold NUL). */
export const nameField = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');
