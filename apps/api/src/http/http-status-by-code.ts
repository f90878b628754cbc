import type { ErrorCode } from '@mooring/platform';

/** The one place a domain error code becomes an HTTP status. Exhaustive by type. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  INVALID_CLIENT_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  // The tool refused the installation's credentials: not the caller's Mooring token, so not 401.
  CREDENTIALS_INVALID: 422,
  UPSTREAM_FAILED: 502,
  TENANT_CONTEXT_MISSING: 500,
  CONFIG_INVALID: 500,
  DEPENDENCY_UNAVAILABLE: 503,
  INTERNAL: 500,
};
