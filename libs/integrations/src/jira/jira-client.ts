import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, JsonObject, JsonValue, OAuth2Method } from '../integration-definition.js';
import { ToolClient, paging, type CredentialBudget, type ToolClientOptions } from '../toolkit/index.js';

// How a Jira installation reaches its site, by how it was connected:
// - OAuth 2.0 (3LO), Jira Cloud: through Atlassian's gateway, `api.atlassian.com/ex/jira/{cloudId}`,
//   the site picked from the token's accessible resources (the `siteUrl` setting when it grants
//   several), `Authorization: Bearer`, REST API v3;
// - an API token with the account's email, Jira Cloud: the site itself, `Authorization: Basic`, v3;
// - a personal access token, Jira Data Center / Server (no email given): the base URL,
//   `Authorization: Bearer`, REST API v2 (Data Center has no v3).

const ATLASSIAN_API = 'https://api.atlassian.com';

/** Classic scopes: read work, users and boards/sprints; manage dynamic webhooks; refresh tokens. */
export const JIRA_SCOPES = [
  'read:jira-work',
  'read:jira-user',
  'manage:jira-webhook',
  'read:board-scope:jira-software',
  'read:sprint:jira-software',
  'read:project:jira',
  'offline_access',
] as const;

// Atlassian documents no PKCE for Cloud 3LO: a confidential client with `state`.
export const jiraOAuth2: OAuth2Method = {
  authorizationUrl: () => 'https://auth.atlassian.com/authorize',
  tokenUrl: () => 'https://auth.atlassian.com/oauth/token',
  scopes: JIRA_SCOPES,
  pkce: false,
  extraAuthorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
};

export interface JiraSite {
  /** Where requests go: the gateway's `/ex/jira/{cloudId}`, the Cloud site, or the Data Center base URL. */
  readonly root: string;
  /** `/rest/api/3` (Cloud) or `/rest/api/2` (Data Center). */
  readonly api: '/rest/api/3' | '/rest/api/2';
  readonly cloud: boolean;
  readonly oauth: boolean;
  readonly authorization: (token: string) => string;
}

const sites = new WeakMap<IntegrationConnection, Promise<JiraSite>>();

/** The connection's site, found once per connection (OAuth: one accessible-resources request). */
export function jiraSite(connection: IntegrationConnection): Promise<JiraSite> {
  let site = sites.get(connection);
  if (!site) {
    site = findSite(connection);
    sites.set(connection, site);
    site.catch(() => sites.delete(connection));
  }
  return site;
}

/** Atlassian's API gateway; `atlassianApiUrl` is not a form field: tests and benchmarks point it at the fake. */
const gateway = (settings: Readonly<Record<string, string>>) => settings['atlassianApiUrl'] ?? ATLASSIAN_API;

async function findSite(connection: IntegrationConnection): Promise<JiraSite> {
  const { settings } = connection;
  if (connection.authMethod === 'oauth2') {
    const token = await connection.accessToken();
    const response = await connection.fetch(`${gateway(settings)}/oauth/token/accessible-resources`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: connection.signal,
    });
    if (response.status === 401 || response.status === 403) {
      throw new DomainError('CREDENTIALS_INVALID', `Atlassian rejected the token (${response.status}): connect Jira again`, {
        field: 'oauth',
      });
    }
    if (!response.ok) throw new DomainError('UPSTREAM_FAILED', `Atlassian answered ${response.status} to accessible-resources`);
    const resources = (await response.json()) as JsonValue;
    if (!Array.isArray(resources)) throw new DomainError('UPSTREAM_MALFORMED', 'Atlassian listed no accessible resources');
    const wanted = settings['siteUrl'] ? new URL(settings['siteUrl']).origin : undefined;
    const candidates = resources.filter(
      (r): r is JsonObject => isObject(r) && typeof r['id'] === 'string' && (!wanted || originOf(r['url']) === wanted),
    );
    // Never the first of several blindly: the person names the site.
    if (candidates.length !== 1) {
      throw new DomainError(
        'VALIDATION_FAILED',
        candidates.length === 0
          ? `The token grants no Jira site${wanted ? ` at ${wanted}` : ''}`
          : 'The token grants several Jira sites: set siteUrl to the one to sync',
        {
          fields: [
            {
              field: 'settings.siteUrl',
              message: candidates.length === 0 ? 'no such site for this token' : 'required: several sites',
            },
          ],
        },
      );
    }
    return {
      root: `${gateway(settings)}/ex/jira/${encodeURIComponent(idText(candidates[0]!['id']))}`,
      api: '/rest/api/3',
      cloud: true,
      oauth: true,
      authorization: (token) => `Bearer ${token}`,
    };
  }
  const siteUrl = settings['siteUrl'];
  if (!siteUrl) {
    throw new DomainError('VALIDATION_FAILED', 'A Jira site URL is required', {
      fields: [{ field: 'settings.siteUrl', message: 'required' }],
    });
  }
  const root = siteUrl.replace(/\/+$/, '');
  const email = settings['email'];
  if (email) {
    return {
      root,
      api: '/rest/api/3',
      cloud: true,
      oauth: false,
      authorization: (token) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`,
    };
  }
  return { root, api: '/rest/api/2', cloud: false, oauth: false, authorization: (token) => `Bearer ${token}` };
}

/**
 * Jira's REST APIs for one connection, on the toolkit's client: no ETags, 10 in flight, 429 and 503
 * waited out (`Retry-After`, or `X-RateLimit-Reset` as an ISO instant), 401 as CREDENTIALS_INVALID,
 * 404 as nothing there (Jira cannot tell "gone" from "not visible": callers never delete on it alone).
 */
export async function jiraClient(
  connection: IntegrationConnection,
  budget?: CredentialBudget,
  extra: Pick<ToolClientOptions, 'request' | 'absentStatuses'> = {},
): Promise<{ client: ToolClient; site: JiraSite }> {
  const site = await jiraSite(connection);
  const client = new ToolClient(
    connection,
    {
      id: 'jira',
      tool: 'Jira',
      apiRoot: site.root,
      headers: (token) => ({ authorization: site.authorization(token), accept: 'application/json' }),
      conditionalRequests: false,
      absentStatuses: [404],
      refusedMessage: () => 'Jira rejected the credentials (401): they were revoked or have expired',
      describeFailure: (status, url, text) =>
        `Jira answered ${status} to ${extra.request ? 'POST' : 'GET'} ${url.pathname}: ${jiraErrorMessage(text)}`,
      ...extra,
    },
    budget,
  );
  return { client, site };
}

/** PageBean listings (`startAt`, `maxResults`, `isLast`, `values`): the next page starts after what came. */
export const pageBean = (itemsKey = 'values', limit = 50) =>
  paging.offset({
    itemsKey,
    limit,
    offsetParam: 'startAt',
    limitParam: 'maxResults',
    more: (body) => isObject(body) && body['isLast'] === false,
  });

/** Bare arrays by `startAt` (`/users/search`): pages may come short, so only an empty page ends it. */
export const bareArray = (limit = 100) =>
  paging.offset({ limit, offsetParam: 'startAt', limitParam: 'maxResults', more: () => true });

/** A write to Jira (webhooks) through the connection's guarded fetch. */
export async function jiraWrite(
  connection: IntegrationConnection,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: JsonValue,
): Promise<{ status: number; body: JsonValue }> {
  const site = await jiraSite(connection);
  const token = await connection.accessToken();
  const response = await connection.fetch(`${site.root}${path}`, {
    method,
    headers: {
      authorization: site.authorization(token),
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: connection.signal,
  });
  const text = await response.text();
  if (response.status === 401) {
    throw new DomainError('CREDENTIALS_INVALID', 'Jira rejected the credentials (401)', { status: 401, path });
  }
  if (response.status === 403) {
    throw new DomainError(
      'CREDENTIALS_SCOPE_MISSING',
      `Jira refused ${method} ${path} (403): ${jiraErrorMessage(text) || 'webhooks need manage:jira-webhook (OAuth) or a Jira administrator (token)'}`,
      { status: 403, path },
    );
  }
  let parsed: JsonValue = null;
  try {
    parsed = text ? (JSON.parse(text) as JsonValue) : null;
  } catch {
    // Not JSON: the status says enough.
  }
  return { status: response.status, body: parsed };
}

/** Jira's `{errorMessages, errors}` as a sentence. */
export function jiraErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m) => typeof m === 'string') : [];
    const fields = isObject(body.errors as JsonValue)
      ? Object.entries(body.errors as JsonObject).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      : [];
    const message = typeof body.message === 'string' ? [body.message] : [];
    return [...messages, ...fields, ...message].join('; ').slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/** An id as text: Jira's are strings in the platform API and numbers in the Agile API. */
export function idText(value: JsonValue | undefined): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function originOf(value: JsonValue | undefined): string | undefined {
  try {
    return typeof value === 'string' ? new URL(value).origin : undefined;
  } catch {
    return undefined;
  }
}
