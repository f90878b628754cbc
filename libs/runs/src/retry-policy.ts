import { isDomainError, type ErrorCode } from '@mooring/platform';

/** What a worker does when a run fails with a code: try again later, ask for new credentials, or stop. */
export type RetryDecision = 'retry' | 'reauth' | 'fail';

/** Exhaustive by type, like the api's status table: a new code forces a decision here too. */
export const RETRY_DECISION_BY_CODE: Readonly<Record<ErrorCode, RetryDecision>> = {
  VALIDATION_FAILED: 'fail',
  MALFORMED_JSON: 'fail',
  PAYLOAD_TOO_LARGE: 'fail',
  UNSUPPORTED_MEDIA_TYPE: 'fail',
  ROUTE_NOT_FOUND: 'fail',
  METHOD_NOT_ALLOWED: 'fail',
  RATE_LIMITED: 'fail',
  UNAUTHENTICATED: 'fail',
  INVALID_TOKEN: 'fail',
  INVALID_CLIENT_CREDENTIALS: 'fail',
  SIGN_IN_FAILED: 'fail',
  CSRF_TOKEN_INVALID: 'fail',
  INVITATION_INVALID: 'fail',
  FORBIDDEN: 'fail',
  NOT_FOUND: 'fail',
  CONFLICT: 'fail',
  RUN_ACTIVE: 'fail',
  INSTALLATION_DISABLED: 'fail',
  RUN_TIMED_OUT: 'fail',
  HOST_NOT_ALLOWED: 'fail',
  HOST_NOT_FOUND: 'fail',
  CREDENTIALS_INVALID: 'reauth',
  CREDENTIALS_SCOPE_MISSING: 'reauth',
  CREDENTIALS_UNREADABLE: 'reauth',
  REAUTH_REQUIRED: 'reauth',
  // A 5xx, a 429 or a network failure at the tool; other statuses are the tool refusing for good.
  UPSTREAM_FAILED: 'retry',
  // The same page will be as large next time: raise OUTBOUND_MAX_RESPONSE_BYTES or narrow the selector.
  UPSTREAM_RESPONSE_TOO_LARGE: 'fail',
  // A broken or cut-short listing is often a tool's passing trouble (a deploy, a proxy, overload).
  UPSTREAM_MALFORMED: 'retry',
  UPSTREAM_INCOMPLETE: 'retry',
  WEBHOOK_REFUSED: 'fail',
  OAUTH_STATE_INVALID: 'fail',
  OAUTH_STATE_EXPIRED: 'fail',
  OAUTH_STATE_REUSED: 'fail',
  OAUTH_BROWSER_MISMATCH: 'fail',
  OAUTH_ISSUER_MISMATCH: 'fail',
  OAUTH_ACCOUNT_CHANGED: 'fail',
  OAUTH_ACCESS_DENIED: 'reauth',
  OAUTH_EXCHANGE_FAILED: 'retry',
  APP_NOT_CONFIGURED: 'fail',
  APP_INSTALLATION_NOT_FOUND: 'reauth',
  APP_INSTALLATION_TAKEN: 'fail',
  HOOK_MANAGED_BY_APP: 'fail',
  TENANT_CONTEXT_MISSING: 'fail',
  CONFIG_INVALID: 'fail',
  DEPENDENCY_UNAVAILABLE: 'retry',
  INTERNAL: 'fail',
};

/**
 * Whether an extraction error may pass: a tool's 5xx or 429, or a network error (fetch throws a
 * plain TypeError); not a 4xx, which will be the same next time.
 */
export function isTransient(error: unknown): boolean {
  if (!isDomainError(error)) return error instanceof Error && !(error instanceof SyntaxError);
  if (RETRY_DECISION_BY_CODE[error.code] !== 'retry') return false;
  const status = error.details['status'];
  return typeof status !== 'number' || status >= 500 || status === 429 || status === 408;
}

/** The delay a tool asked for (Retry-After, in the error's details), if any. */
export function retryAfterMs(error: unknown): number | undefined {
  const cause = error instanceof Error && 'cause' in error ? (error as { cause: unknown }).cause : error;
  if (!isDomainError(cause)) return undefined;
  const value = cause.details['retryAfterMs'];
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/** Exponential backoff with full jitter on the upper half, never sooner than the tool asked. */
export function retryDelayMs(attemptsMade: number, baseMs: number, error: unknown, random = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 15 * 60_000);
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(Math.round(jittered), retryAfterMs(error) ?? 0);
}
