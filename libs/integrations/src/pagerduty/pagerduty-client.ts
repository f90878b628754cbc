import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, JsonObject, JsonValue } from '../integration-definition.js';
import { ToolClient, paging, type CredentialBudget } from '../toolkit/index.js';

/** PagerDuty's REST API by service region; the OAuth endpoints are the same for both. */
export const PAGERDUTY_REGIONS: Readonly<Record<string, string>> = {
  us: 'https://api.pagerduty.com',
  eu: 'https://api.eu.pagerduty.com',
};

/** Classic listings' largest page. */
export const LIMIT = 100;
/** Classic offset paging stops at offset + limit = 10,000: past it PagerDuty answers 400. */
export const MAX_OFFSET = 10_000;
/**
 * Requests in flight per credential. PagerDuty advises serial requests per token (960 a minute per
 * key or user); a few at once keeps a large account's first sync within minutes, and 429s are
 * waited out.
 */
export const MAX_IN_FLIGHT = 4;

/**
 * The API root: the installation's region (`us` by default, or `eu`). `apiUrl` is not a form field:
 * only tests and benchmarks set it, to point at the fake PagerDuty.
 */
export function pagerdutyApiRoot(settings: Readonly<Record<string, string>>): string {
  return settings['apiUrl'] || PAGERDUTY_REGIONS[pagerdutyRegion(settings)]!;
}

/** The installation's service region: `us` unless the settings say `eu`; VALIDATION_FAILED for another. */
export function pagerdutyRegion(settings: Readonly<Record<string, string>>): string {
  const region = (settings['region'] ?? 'us').trim().toLowerCase() || 'us';
  if (!PAGERDUTY_REGIONS[region]) {
    throw new DomainError('VALIDATION_FAILED', `Unknown PagerDuty service region "${region}"`, {
      fields: [{ field: 'settings.region', message: 'must be us or eu' }],
    });
  }
  return region;
}

/** `Token token=<key>` for REST API keys (exactly so, or PagerDuty answers 401); `Bearer` for OAuth tokens. */
export function pagerdutyHeaders(connection: IntegrationConnection, token: string): Record<string, string> {
  return {
    accept: 'application/vnd.pagerduty+json;version=2',
    authorization: connection.authMethod === 'oauth2' ? `Bearer ${token}` : `Token token=${token}`,
  };
}

/**
 * PagerDuty's REST API for one connection, on the toolkit's client: no ETags, 4 requests in flight
 * per credential, 429 waited out (`ratelimit-reset` is seconds from now; without headers, a minute
 * doubling), 401 as CREDENTIALS_INVALID, 404 as nothing there.
 */
export function pagerdutyClient(connection: IntegrationConnection, budget?: CredentialBudget): ToolClient {
  return new ToolClient(
    connection,
    {
      id: 'pagerduty',
      tool: 'PagerDuty',
      apiRoot: pagerdutyApiRoot(connection.settings),
      headers: (token) => pagerdutyHeaders(connection, token),
      conditionalRequests: false,
      maxInFlight: MAX_IN_FLIGHT,
      absentStatuses: [404],
      refusedMessage: () => 'PagerDuty rejected the credentials (401 Authentication failed): they were revoked or have expired',
      describeFailure: (status, url, text) => `PagerDuty answered ${status} to GET ${url.pathname}: ${errorMessage(text)}`,
    },
    budget,
  );
}

/** A classic listing: `limit`/`offset` until `more` is false, failing rather than ending short at 10,000. */
export const classicListing = (itemsKey: string) =>
  paging.offset({
    itemsKey,
    limit: LIMIT,
    maxOffset: MAX_OFFSET,
    more: (body) => isObject(body) && body['more'] === true,
  });

/** `path?name[]=a&name[]=b…`: PagerDuty's arrays are repeated bracketed parameters. */
export function listUrl(
  client: ToolClient,
  path: string,
  query: Readonly<Record<string, string | readonly string[] | undefined>> = {},
): URL {
  const url = new URL(client.url(path));
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string') url.searchParams.set(name, value);
    else for (const each of value) url.searchParams.append(`${name}[]`, each);
  }
  return url;
}

/** A write to PagerDuty (webhook subscriptions) through the connection's guarded fetch. */
export async function pagerdutyWrite(
  connection: IntegrationConnection,
  method: 'POST' | 'DELETE',
  path: string,
  body?: JsonObject,
): Promise<{ status: number; body: JsonValue }> {
  const token = await connection.accessToken();
  const response = await connection.fetch(`${pagerdutyApiRoot(connection.settings)}${path}`, {
    method,
    headers: { ...pagerdutyHeaders(connection, token), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: connection.signal,
  });
  const text = await response.text();
  if (response.status === 401) {
    throw new DomainError('CREDENTIALS_INVALID', 'PagerDuty rejected the credentials (401 Authentication failed)', {
      status: 401,
      path,
    });
  }
  if (response.status === 403) {
    throw new DomainError(
      'CREDENTIALS_SCOPE_MISSING',
      `PagerDuty refused ${method} ${path} (403): the credentials need webhook_subscriptions.write (an OAuth scope) or a full-access API key`,
      { status: 403, path, field: 'settings.token' },
    );
  }
  let parsed: JsonValue = null;
  try {
    parsed = text ? (JSON.parse(text) as JsonValue) : null;
  } catch {
    // An error page: the status says enough.
  }
  return { status: response.status, body: parsed };
}

/** PagerDuty's `{"error":{"message","code","errors"}}`, as a sentence. */
export function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; errors?: unknown } };
    const message = typeof body.error?.message === 'string' ? body.error.message : '';
    const details = Array.isArray(body.error?.errors) ? body.error.errors.filter((e) => typeof e === 'string').join('; ') : '';
    return [message, details].filter(Boolean).join(': ').slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
