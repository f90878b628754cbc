import { createHash } from 'node:crypto';
import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, JsonValue } from '../integration-definition.js';
import { ToolClient, type ToolClientOptions, type ToolRequest } from '../toolkit/index.js';
import type { GenericAuth, GenericKind, GenericSettings } from './generic-http-settings.js';

// The toolkit's client for whatever API an installation points at. The connection's token is the
// auth method's one secret: sent as a bearer token, a basic password, an API key (header or query
// parameter), or exchanged for an access token with OAuth 2.0 client credentials (cached until
// shortly before it expires). Every request, the token exchange included, goes through the
// connection's SSRF-guarded fetch.

/** A client for one kind's listing: sent as the kind declares, spaced to its request rate when it declares one. */
export function genericClient(connection: IntegrationConnection, settings: GenericSettings, kind: GenericKind): ToolClient {
  return clientFor(connection, settings, kind, kind.method === 'POST' ? { request: postRequest(kind) } : {});
}

/** A client for one item by id: always a GET; 404 and 410 answer null, the tool saying the item is gone. */
export function genericItemClient(connection: IntegrationConnection, settings: GenericSettings, kind: GenericKind): ToolClient {
  return clientFor(connection, settings, kind, { absentStatuses: [404, 410] });
}

function clientFor(
  connection: IntegrationConnection,
  settings: GenericSettings,
  kind: GenericKind,
  extra: Pick<ToolClientOptions, 'request' | 'absentStatuses'>,
): ToolClient {
  const authed = authenticated(connection, settings.auth);
  const { requestsPerSecond } = kind;
  const spaced = requestsPerSecond
    ? { ...authed, fetch: ratedFetch(connection, authed.fetch, [settings.baseUrl, kind.name], requestsPerSecond) }
    : authed;
  const auth = settings.auth;
  return new ToolClient(spaced, {
    id: 'generic-http',
    tool: new URL(settings.baseUrl).host,
    apiRoot: settings.baseUrl,
    conditionalRequests: false,
    headers: (token) => ({ accept: 'application/json', ...settings.headers, ...authHeaders(auth, token) }),
    ...extra,
  });
}

/**
 * A POST listing: the kind's body with, when its pagination says `"in": "body"`, the paging fields
 * the toolkit's strategy put in the page's URL moved into it (numbers stay numbers).
 */
function postRequest(kind: GenericKind): (url: URL) => ToolRequest {
  const pagination = kind.pagination;
  const inBody = 'in' in pagination && pagination.in === 'body';
  const fields: Array<{ name: string; numeric: boolean }> = !inBody
    ? []
    : pagination.type === 'pageNumber'
      ? [
          { name: pagination.pageParam ?? 'page', numeric: true },
          { name: pagination.sizeParam ?? 'per_page', numeric: true },
        ]
      : pagination.type === 'offset'
        ? [
            { name: pagination.offsetParam ?? 'offset', numeric: true },
            { name: pagination.limitParam ?? 'limit', numeric: true },
          ]
        : pagination.type === 'cursor'
          ? [{ name: pagination.param, numeric: false }]
          : [];
  return (page) => {
    const url = new URL(page);
    const body: Record<string, JsonValue> = { ...kind.body };
    for (const { name, numeric } of fields) {
      const value = url.searchParams.get(name);
      if (value === null) continue;
      url.searchParams.delete(name);
      body[name] = numeric ? Number(value) : value;
    }
    return { url, method: 'POST', body };
  };
}

function authHeaders(auth: GenericAuth, token: string): Record<string, string> {
  switch (auth.type) {
    case 'bearer':
    case 'oauth2ClientCredentials':
      return { authorization: `Bearer ${token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${token}`).toString('base64')}` };
    case 'apiKey':
      return auth.in === 'header' ? { [auth.name.toLowerCase()]: token } : {};
    case 'none':
      return {};
  }
}

/** The connection as the API sees it: a query-parameter key added to every request, or an OAuth access token in place of the client secret. */
function authenticated(connection: IntegrationConnection, auth: GenericAuth): IntegrationConnection {
  if (auth.type === 'apiKey' && auth.in === 'query') {
    return {
      ...connection,
      fetch: async (url, init) => {
        const withKey = new URL(url);
        withKey.searchParams.set(auth.name, await connection.accessToken());
        return connection.fetch(withKey, init);
      },
    };
  }
  if (auth.type === 'oauth2ClientCredentials') {
    return { ...connection, accessToken: async () => clientCredentialsToken(connection, auth, await connection.accessToken()) };
  }
  return connection;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

const EXPIRY_MARGIN_MS = 60_000;
const tokens = new Map<string, Promise<CachedToken>>();

/** An access token for the client, from the cache while it has a minute left; one exchange at a time per client. */
export async function clientCredentialsToken(
  connection: IntegrationConnection,
  auth: Extract<GenericAuth, { type: 'oauth2ClientCredentials' }>,
  clientSecret: string,
): Promise<string> {
  // Keyed by a digest, so the secret is never a map key anyone could log.
  const key = createHash('sha256')
    .update(JSON.stringify([auth.tokenUrl, auth.clientId, auth.scope ?? '', clientSecret]))
    .digest('hex');
  const held = tokens.get(key);
  if (held) {
    const cached = await held.catch(() => undefined);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.token;
    if (tokens.get(key) === held) tokens.delete(key);
  }
  const exchange = tokens.get(key) ?? exchangeClientCredentials(connection, auth, clientSecret);
  tokens.set(key, exchange);
  try {
    return (await exchange).token;
  } catch (error) {
    if (tokens.get(key) === exchange) tokens.delete(key);
    throw error;
  }
}

async function exchangeClientCredentials(
  connection: IntegrationConnection,
  auth: Extract<GenericAuth, { type: 'oauth2ClientCredentials' }>,
  clientSecret: string,
): Promise<CachedToken> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope ? { scope: auth.scope } : {}) });
  const response = await connection.fetch(auth.tokenUrl, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      // RFC 6749 §2.3.1: client_secret_basic, with both parts form-encoded.
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body,
    signal: connection.signal,
  });
  const text = await response.text();
  if (response.status === 400 || response.status === 401) {
    throw new DomainError('CREDENTIALS_INVALID', `The token endpoint refused the client credentials (${response.status})`, {
      field: 'token',
    });
  }
  if (!response.ok) {
    throw new DomainError('UPSTREAM_FAILED', `The token endpoint answered ${response.status}`, { status: response.status });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const answer = (parsed ?? {}) as { access_token?: unknown; expires_in?: unknown };
  if (typeof answer.access_token !== 'string' || answer.access_token === '') {
    throw new DomainError('UPSTREAM_MALFORMED', 'The token endpoint answered without an access_token', {
      status: response.status,
    });
  }
  const lifetime = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600;
  return { token: answer.access_token, expiresAt: Date.now() + lifetime * 1000 };
}

/**
 * A kind's declared request rate. Across every worker when the connection shares Redis semaphores:
 * `slots` (the rate, at least 1) slots per kind and credential, each held for `slots / rate`
 * seconds from when its request starts, so no window of that length starts more than `slots`
 * requests. Within the process only otherwise.
 */
function ratedFetch(
  connection: IntegrationConnection,
  fetch: IntegrationConnection['fetch'],
  scope: readonly string[],
  requestsPerSecond: number,
): IntegrationConnection['fetch'] {
  const shared = connection.sharedConcurrency;
  if (!shared) return spacedFetch(fetch, 1000 / requestsPerSecond, connection.signal);
  const slots = Math.max(1, Math.floor(requestsPerSecond));
  const holdMs = (slots * 1000) / requestsPerSecond;
  let key: Promise<string> | undefined;
  return async (url, init) => {
    // Keyed by a digest, so the secret is never part of a Redis key.
    key ??= connection.accessToken().then(
      (token) =>
        `generic-http:rate:${createHash('sha256')
          .update(JSON.stringify([...scope, token]))
          .digest('hex')}`,
    );
    const release = await shared.acquire(await key, slots, connection.signal);
    // Released when the window ends, not when the answer arrives; a crashed holder's slot ends with its lease.
    setTimeout(() => void release().catch(() => {}), holdMs).unref();
    return fetch(url, init);
  };
}

/** Starts requests no closer than `intervalMs` apart (a kind's declared rate, within this process). */
function spacedFetch(
  fetch: IntegrationConnection['fetch'],
  intervalMs: number,
  signal: AbortSignal,
): IntegrationConnection['fetch'] {
  let next = 0;
  return async (url, init) => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + intervalMs;
    if (at > now) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, at - now);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
      });
    }
    return fetch(url, init);
  };
}
