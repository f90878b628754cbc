import type { ErrorCode } from './error-codes.js';

export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * An expected failure with a stable code. Libraries throw these and never HTTP exceptions: the
 * same code means the same thing in the api (a status), the worker (a retry decision) and the logs.
 * Messages and details are shown to API callers, so they must never contain secrets.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** Compile-time exhaustiveness for switches and lookup tables over unions such as ErrorCode. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
