import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, OAuth2Method, VerifiedAccount } from '../integration-definition.js';

const GITLAB_COM = 'https://gitlab.com';

/** The scope every kind needs: `read_api`, or `api`, which includes it. */
export const REQUIRED_SCOPE = 'read_api';
/** The scope creating webhooks needs (live events). */
export const HOOKS_SCOPE = 'api';

/**
 * The instance's web root: gitlab.com, or the `host` setting of a self-managed instance, kept with
 * any relative URL root it is served under (`https://example.com/gitlab`).
 */
export function gitlabWebRoot(settings: Readonly<Record<string, string>>): string {
  const host = settings['host']?.trim();
  if (!host) return GITLAB_COM;
  const url = new URL(host);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The REST API root: the web root and `/api/v4`. */
export function gitlabApiRoot(settings: Readonly<Record<string, string>>): string {
  return `${gitlabWebRoot(settings)}/api/v4`;
}

/**
 * OAuth against gitlab.com (Mooring's application) or a self-managed instance (the organization's
 * own application on it, given when connecting). PKCE S256; GitLab's access tokens last two hours
 * and every refresh rotates the refresh token, which the platform stores before using the pair.
 * `api` rather than `read_api` so the installation can create its webhooks.
 */
export const gitlabOAuth2: OAuth2Method = {
  authorizationUrl: (settings) => `${gitlabWebRoot(settings)}/oauth/authorize`,
  tokenUrl: (settings) => `${gitlabWebRoot(settings)}/oauth/token`,
  scopes: [HOOKS_SCOPE],
  pkce: true,
};

async function gitlabGet(connection: IntegrationConnection, url: string): Promise<Response> {
  return connection.fetch(url, {
    headers: { accept: 'application/json', authorization: `Bearer ${await connection.accessToken()}`, 'user-agent': 'mooring' },
    signal: connection.signal,
  });
}

async function json(response: Response): Promise<Record<string, unknown> | null> {
  const body: unknown = await response.json().catch(() => null);
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

/**
 * Proves the token works and may read the API: `GET /user` names the account (401: refused; a 403
 * `insufficient_scope`: the token cannot read the API at all), then the token's own scopes from
 * `GET /personal_access_tokens/self` (personal, group and project access tokens) or, for an OAuth
 * token, `GET /oauth/token/info`. A token without `read_api` or `api` is refused naming the scope.
 * Instances older than 15.5 know neither: `GET /user` answering is then the proof. The `group` to
 * sync, when set, must be one the token can see.
 */
export async function verifyGitlabCredentials(connection: IntegrationConnection): Promise<VerifiedAccount | undefined> {
  const api = gitlabApiRoot(connection.settings);
  const user = await gitlabGet(connection, `${api}/user`);
  const body = await json(user);
  if (user.status === 401) {
    throw new DomainError('CREDENTIALS_INVALID', 'GitLab rejected the token (401 Unauthorized): it was revoked or has expired', {
      field: 'token',
    });
  }
  if (user.status === 403 && body?.['error'] === 'insufficient_scope') throw scopeMissing([]);
  if (!user.ok) throw upstream(user, '/user');
  const account =
    typeof body?.['id'] === 'number' && typeof body['username'] === 'string'
      ? { id: String(body['id']), name: body['username'] }
      : undefined;

  const granted = await grantedScopes(connection, api);
  if (granted && !granted.includes(REQUIRED_SCOPE) && !granted.includes(HOOKS_SCOPE)) throw scopeMissing(granted);
  const group = connection.settings['group']?.trim();
  if (group) {
    const found = await gitlabGet(connection, `${api}/groups/${encodeURIComponent(group)}?with_projects=false`);
    await found.body?.cancel();
    if (found.status === 404 || found.status === 403) {
      throw new DomainError(
        'CREDENTIALS_INVALID',
        `The GitLab token cannot see the group "${group}" (its full path, e.g. harbor/payments)`,
        {
          field: 'group',
          status: found.status,
        },
      );
    }
    if (!found.ok) throw upstream(found, '/groups/:group');
  }
  return account;
}

/** The token's scopes, or null when the instance cannot say. */
async function grantedScopes(connection: IntegrationConnection, api: string): Promise<string[] | null> {
  const token = await gitlabGet(connection, `${api}/personal_access_tokens/self`);
  const self = await json(token);
  if (token.status === 403 && self?.['error'] === 'insufficient_scope') throw scopeMissing([]);
  if (token.ok) {
    if (self?.['revoked'] === true || self?.['active'] === false) {
      throw new DomainError('CREDENTIALS_INVALID', 'The GitLab token is revoked or inactive', { field: 'token' });
    }
    return scopesIn(self?.['scopes']);
  }
  // Not an access token (an OAuth token), or an instance before 15.5.
  const info = await gitlabGet(connection, `${gitlabWebRoot(connection.settings)}/oauth/token/info`);
  const oauth = await json(info);
  return info.ok ? scopesIn(oauth?.['scope'] ?? oauth?.['scopes']) : null;
}

function scopesIn(value: unknown): string[] | null {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return Array.isArray(value) ? value.filter((scope): scope is string => typeof scope === 'string') : null;
}

function scopeMissing(granted: readonly string[]): DomainError {
  return new DomainError('CREDENTIALS_SCOPE_MISSING', `The GitLab token lacks the scope ${REQUIRED_SCOPE} (or api)`, {
    field: 'token',
    missingScopes: [REQUIRED_SCOPE],
    grantedScopes: [...granted],
  });
}

function upstream(response: Response, path: string): DomainError {
  return new DomainError('UPSTREAM_FAILED', `GitLab answered ${response.status} to GET ${path}`, {
    status: response.status,
    rateLimitRemaining: response.headers.get('ratelimit-remaining'),
  });
}
