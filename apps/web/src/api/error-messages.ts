import type { ErrorCode } from '@mooring/contract';
import { ApiError, type ClientErrorCode } from './client';

export interface ErrorExplanation {
  /** What happened, in words. */
  readonly title: string;
  /** What to do next. */
  readonly action: string;
}

/**
 * Every coded api error in words, with what to do next. The api's own message (which may quote a
 * tool's answer) is shown beside it as plain text, never as HTML.
 */
// Exhaustive over the contract's codes: a new code does not compile until it is explained here.
const EXPLANATIONS: Readonly<Record<ErrorCode | ClientErrorCode, ErrorExplanation>> = {
  VALIDATION_FAILED: { title: 'Some values are not valid', action: 'Correct the highlighted fields and try again.' },
  MALFORMED_JSON: { title: 'The request was malformed', action: 'Reload the page and try again.' },
  UNSUPPORTED_MEDIA_TYPE: {
    title: 'The request was sent in an encoding the api does not read',
    action: 'Reload the page and try again; scripts must send UTF-8 JSON.',
  },
  PAYLOAD_TOO_LARGE: { title: 'That is too large to send', action: 'Send less at once (for a mapping, fewer samples).' },
  ROUTE_NOT_FOUND: {
    title: 'This api does not offer that yet',
    action: 'The console and the api may be different versions: reload the page.',
  },
  METHOD_NOT_ALLOWED: { title: 'That action is not possible here', action: 'Reload the page and try again.' },
  UNAUTHENTICATED: { title: 'You are signed out', action: 'Sign in again to continue.' },
  INVALID_TOKEN: { title: 'Your session has ended', action: 'Sign in again to continue.' },
  INVALID_CLIENT_CREDENTIALS: { title: 'Those credentials are not valid', action: 'Check them and try again.' },
  SIGN_IN_FAILED: { title: 'Wrong email or password', action: 'Check both and try again.' },
  RATE_LIMITED: { title: 'Too many attempts', action: 'Wait a little before trying again.' },
  CSRF_TOKEN_INVALID: { title: 'This page is out of date', action: 'Reload the page and try again.' },
  FORBIDDEN: {
    title: 'Your role does not allow this',
    action: 'Ask an admin of your organization to do it, or to change your role.',
  },
  NOT_FOUND: { title: 'Not found', action: 'It may have been deleted: go back to the list.' },
  CONFLICT: { title: 'That conflicts with something that exists', action: 'Pick another name or identifier.' },
  RUN_ACTIVE: { title: 'A sync is already running', action: 'Follow it on the sync-status tab; start another when it ends.' },
  INSTALLATION_DISABLED: { title: 'This data source is disabled', action: 'Enable it in Settings first.' },
  RUN_TIMED_OUT: { title: 'The sync took too long and was stopped', action: 'Check the event log, then resync.' },
  HOST_NOT_ALLOWED: {
    title: 'Mooring may not connect to that host',
    action: 'Use the public https address of your tool (private and loopback addresses are refused).',
  },
  UPSTREAM_RESPONSE_TOO_LARGE: {
    title: 'The tool sent a page larger than Mooring accepts',
    action:
      'Nothing was deleted. Narrow the kind’s selector so its pages are smaller, or ask your operator to raise OUTBOUND_MAX_RESPONSE_BYTES.',
  },
  UPSTREAM_MALFORMED: {
    title: 'The tool answered with something that is not a listing',
    action: 'Nothing was deleted. Check the tool’s health and the host setting, then resync.',
  },
  UPSTREAM_INCOMPLETE: {
    title: 'The tool ended a listing before all its items',
    action: 'Nothing was deleted. Resync later; if it repeats, check the tool’s health.',
  },
  WEBHOOK_REFUSED: {
    title: 'The webhook delivery was refused',
    action:
      'Check that the tool signs with the installation’s current webhook secret; rotate it and register the hook again if unsure.',
  },
  HOST_NOT_FOUND: {
    title: 'That host name does not resolve',
    action: 'Check the spelling of the address, and that its DNS name is public.',
  },
  CREDENTIALS_INVALID: {
    title: 'The tool refused these credentials',
    action: 'Check the token (and that it has not expired), then try again.',
  },
  CREDENTIALS_SCOPE_MISSING: {
    title: 'The token lacks permissions Mooring needs',
    action: 'Create a token with the scopes listed in the integration, then try again.',
  },
  CREDENTIALS_UNREADABLE: {
    title: 'Stored credentials could not be read',
    action: 'Reconnect this data source with new credentials.',
  },
  REAUTH_REQUIRED: { title: 'This data source needs new credentials', action: 'Reconnect it to resume syncing.' },
  UPSTREAM_FAILED: {
    title: 'The tool answered with an error',
    action: 'Check that the tool is reachable and healthy, then retry.',
  },
  OAUTH_STATE_INVALID: {
    title: 'The connection attempt was not recognised',
    action: 'Start connecting again from this console.',
  },
  OAUTH_STATE_EXPIRED: {
    title: 'The connection attempt expired',
    action: 'Start connecting again and finish within 10 minutes.',
  },
  OAUTH_STATE_REUSED: { title: 'That connection link was already used', action: 'Start connecting again.' },
  OAUTH_BROWSER_MISMATCH: {
    title: 'The connection was started in another browser or by another person',
    action: 'Start connecting again from this browser while signed in.',
  },
  OAUTH_ACCOUNT_CHANGED: {
    title: 'A different account answered at the provider',
    action: 'Confirm the new account, or connect again with the original one.',
  },
  OAUTH_ISSUER_MISMATCH: {
    title: 'The answer did not come from the expected provider',
    action: 'Start connecting again; if it repeats, check the provider address in the settings.',
  },
  OAUTH_ACCESS_DENIED: { title: 'Access was not granted', action: 'Connect again and approve access at the provider.' },
  OAUTH_EXCHANGE_FAILED: {
    title: 'The provider did not complete the connection',
    action: 'Try again; if it persists, check the OAuth app.',
  },
  APP_NOT_CONFIGURED: {
    title: 'This Mooring has no GitHub App',
    action: 'Connect with OAuth or a token instead, or ask your operator to configure GITHUB_APP_*.',
  },
  APP_INSTALLATION_NOT_FOUND: {
    title: 'GitHub does not know that installation of the Mooring App',
    action: 'Install the GitHub App again from this console; nothing was connected.',
  },
  APP_INSTALLATION_TAKEN: {
    title: 'That GitHub installation is connected to another Mooring organization',
    action: 'Install the App on another GitHub account, or ask that organization to remove it first.',
  },
  HOOK_MANAGED_BY_APP: {
    title: 'This data source gets its events through Mooring’s GitHub App',
    action:
      'There is no webhook or secret to set up here; to change which repositories send events, manage the installation on GitHub.',
  },
  INVITATION_INVALID: {
    title: 'This invitation cannot be used',
    action: 'It may have expired or been used: ask an admin for a new one.',
  },
  TENANT_CONTEXT_MISSING: { title: 'Something went wrong on our side', action: 'Retry; if it persists, contact support.' },
  CONFIG_INVALID: { title: 'Mooring is misconfigured', action: 'Contact your operator.' },
  DEPENDENCY_UNAVAILABLE: { title: 'Mooring is temporarily unavailable', action: 'Retry in a minute.' },
  INTERNAL: { title: 'Something went wrong on our side', action: 'Retry; if it persists, contact support with the error id.' },
  NETWORK_ERROR: { title: 'The console cannot reach Mooring', action: 'Check your connection, then retry.' },
  UNEXPECTED_RESPONSE: { title: 'Mooring answered unexpectedly', action: 'Retry in a minute.' },
};

const FALLBACK: ErrorExplanation = { title: 'Something went wrong', action: 'Retry; if it persists, contact support.' };

export function explainError(error: unknown): ErrorExplanation & { code: string; message: string; errorId?: string } {
  if (error instanceof ApiError) {
    const explanation = EXPLANATIONS[error.code as ErrorCode] ?? FALLBACK;
    const errorId = typeof error.details['errorId'] === 'string' ? error.details['errorId'] : undefined;
    // The api's message adds specifics (a field, a host, a tool's status); internal errors have none worth showing.
    const message = error.code === 'INTERNAL' || error.code === 'UNEXPECTED_RESPONSE' ? '' : error.message;
    const retryAfter = error.details['retryAfterSeconds'];
    const action =
      error.code === 'RATE_LIMITED' && typeof retryAfter === 'number'
        ? `Wait ${retryAfter < 90 ? `${Math.ceil(retryAfter)} seconds` : `${Math.ceil(retryAfter / 60)} minutes`} before trying again.`
        : explanation.action;
    return { ...explanation, action, code: error.code, message, ...(errorId ? { errorId } : {}) };
  }
  return { ...FALLBACK, code: 'CLIENT_ERROR', message: '' };
}
