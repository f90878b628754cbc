import type { ErrorCode } from '@mooring/platform';

/** The one place a domain error code becomes an HTTP status. Exhaustive by type. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  INVALID_CLIENT_CREDENTIALS: 401,
  SIGN_IN_FAILED: 401,
  CSRF_TOKEN_INVALID: 403,
  // Unknown, used, revoked or expired: details.reason says which.
  INVITATION_INVALID: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RUN_ACTIVE: 409,
  INSTALLATION_DISABLED: 409,
  RUN_TIMED_OUT: 504,
  // The tool refused the installation's credentials: not the caller's Mooring token, so not 401.
  HOST_NOT_ALLOWED: 422,
  // The tool's host name does not resolve (a typo, or a host that no longer exists).
  HOST_NOT_FOUND: 422,
  CREDENTIALS_INVALID: 422,
  CREDENTIALS_SCOPE_MISSING: 422,
  CREDENTIALS_UNREADABLE: 500,
  REAUTH_REQUIRED: 409,
  UPSTREAM_FAILED: 502,
  UPSTREAM_RESPONSE_TOO_LARGE: 502,
  UPSTREAM_MALFORMED: 502,
  UPSTREAM_INCOMPLETE: 502,
  WEBHOOK_REFUSED: 401,
  OAUTH_STATE_INVALID: 400,
  OAUTH_STATE_EXPIRED: 400,
  OAUTH_STATE_REUSED: 400,
  // The callback came to a browser (or person) other than the one that started connecting.
  OAUTH_BROWSER_MISMATCH: 403,
  // The authorization response names another issuer than the provider connected to (RFC 9207).
  OAUTH_ISSUER_MISMATCH: 400,
  OAUTH_ACCOUNT_CHANGED: 409,
  OAUTH_ACCESS_DENIED: 403,
  OAUTH_EXCHANGE_FAILED: 502,
  TENANT_CONTEXT_MISSING: 500,
  CONFIG_INVALID: 500,
  DEPENDENCY_UNAVAILABLE: 503,
  INTERNAL: 500,
};
