/**
 * Every error code Mooring reports. The api maps each to an HTTP status once, at the edge
 * (apps/api/src/http/http-status-by-code.ts), and the worker maps each to a retry decision; both
 * tables are exhaustive records over this union, so adding a code forces both decisions. The web
 * app turns each into words with what to do next.
 */
export const ERROR_CODES = [
  // request shape and routing
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  // authentication and authorization
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'INVALID_CLIENT_CREDENTIALS',
  'SIGN_IN_FAILED',
  'CSRF_TOKEN_INVALID',
  'INVITATION_INVALID',
  'FORBIDDEN',
  // resources
  'NOT_FOUND',
  'CONFLICT',
  // sync runs
  'RUN_ACTIVE',
  'INSTALLATION_DISABLED',
  'RUN_TIMED_OUT',
  // installations and the tools they connect to
  'HOST_NOT_ALLOWED',
  'HOST_NOT_FOUND',
  'CREDENTIALS_INVALID',
  'CREDENTIALS_SCOPE_MISSING',
  'CREDENTIALS_UNREADABLE',
  'REAUTH_REQUIRED',
  'UPSTREAM_FAILED',
  'UPSTREAM_RESPONSE_TOO_LARGE',
  /** The tool answered a listing request with something that is not a listing. */
  'UPSTREAM_MALFORMED',
  /** A listing ended with fewer items than the tool said it holds. */
  'UPSTREAM_INCOMPLETE',
  /** A webhook delivery was refused: missing or bad signature, stale, or unreadable (the reason is in details). */
  'WEBHOOK_REFUSED',
  'OAUTH_STATE_INVALID',
  'OAUTH_STATE_EXPIRED',
  'OAUTH_STATE_REUSED',
  'OAUTH_BROWSER_MISMATCH',
  'OAUTH_ISSUER_MISMATCH',
  'OAUTH_ACCOUNT_CHANGED',
  'OAUTH_ACCESS_DENIED',
  'OAUTH_EXCHANGE_FAILED',
  /** Mooring's own App at the tool is not configured on this service (GITHUB_APP_*). */
  'APP_NOT_CONFIGURED',
  /** The tool does not know that installation of Mooring's App (a wrong id, or another App's). */
  'APP_INSTALLATION_NOT_FOUND',
  /** That installation of Mooring's App is connected to another Mooring organization. */
  'APP_INSTALLATION_TAKEN',
  /** The installation's deliveries arrive through Mooring's App webhook: it has no hook of its own to rotate or register. */
  'HOOK_MANAGED_BY_APP',
  // platform
  'TENANT_CONTEXT_MISSING',
  'CONFIG_INVALID',
  'DEPENDENCY_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
