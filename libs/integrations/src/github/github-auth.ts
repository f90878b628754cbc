import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, OAuth2Method, VerifiedAccount } from '../integration-definition.js';

const GITHUB_COM = 'https://github.com';
const GITHUB_COM_API = 'https://api.github.com';

/**
 * Scopes the GitHub kinds need (repositories, pull requests, teams and members of an organization).
 * Classic tokens and OAuth apps grant them; fine-grained tokens have no scopes to check.
 */
export const GITHUB_SCOPES = ['repo', 'read:org'] as const;

// Scopes that include another one (https://docs.github.com/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps).
const IMPLIED_BY: Readonly<Record<string, readonly string[]>> = {
  'read:org': ['write:org', 'admin:org'],
  'write:org': ['admin:org'],
};

/** The web origin of the GitHub instance: github.com, or a GitHub Enterprise Server's `host`. */
export function githubWebOrigin(settings: Readonly<Record<string, string>>): string {
  const host = settings['host'];
  if (!host) return GITHUB_COM;
  const origin = new URL(host).origin;
  return origin === GITHUB_COM_API ? GITHUB_COM : origin;
}

/** REST API root: api.github.com, or `https://HOST/api/v3` on GitHub Enterprise Server. */
export function githubApiBase(settings: Readonly<Record<string, string>>): string {
  const web = githubWebOrigin(settings);
  return web === GITHUB_COM ? GITHUB_COM_API : `${web}/api/v3`;
}

export const githubOAuth2: OAuth2Method = {
  authorizationUrl: (settings) => `${githubWebOrigin(settings)}/login/oauth/authorize`,
  tokenUrl: (settings) => `${githubWebOrigin(settings)}/login/oauth/access_token`,
  scopes: GITHUB_SCOPES,
  pkce: true,
  // Connecting an organization's tools should not create GitHub accounts along the way.
  extraAuthorizationParams: { allow_signup: 'false' },
};

export async function githubRequest(connection: IntegrationConnection, path: string): Promise<Response> {
  return connection.fetch(`${githubApiBase(connection.settings)}${path}`, {
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${await connection.accessToken()}`,
      'user-agent': 'mooring',
      'x-github-api-version': '2022-11-28',
    },
    signal: connection.signal,
  });
}

/**
 * `GET /user` proves the token works and, for classic tokens and OAuth apps, lists its scopes in
 * `X-OAuth-Scopes`; `GET /orgs/:org` proves the token can see the organization to sync.
 */
export async function verifyGithubCredentials(connection: IntegrationConnection): Promise<VerifiedAccount | undefined> {
  if (connection.settings['installationId']) return verifyGithubInstallation(connection);
  const user = await githubRequest(connection, '/user');
  if (user.status === 401) {
    await user.body?.cancel();
    throw new DomainError('CREDENTIALS_INVALID', 'GitHub rejected the token (401 Bad credentials)', { field: 'token' });
  }
  if (!user.ok) {
    await user.body?.cancel();
    throw upstream(user, '/user');
  }
  const account = accountOf(await user.json().catch(() => null));
  const granted = user.headers.get('x-oauth-scopes');
  if (granted !== null) {
    const scopes = new Set(
      granted
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean),
    );
    const missing = GITHUB_SCOPES.filter((scope) => !scopes.has(scope) && !(IMPLIED_BY[scope] ?? []).some((s) => scopes.has(s)));
    if (missing.length) {
      throw new DomainError('CREDENTIALS_SCOPE_MISSING', `The GitHub token lacks the scope ${missing.join(', ')}`, {
        missingScopes: missing,
        grantedScopes: [...scopes],
      });
    }
  }
  const organization = connection.settings['organization'];
  if (organization) {
    const org = await githubRequest(connection, `/orgs/${encodeURIComponent(organization)}`);
    await org.body?.cancel();
    if (org.status === 404 || org.status === 403) {
      throw new DomainError('CREDENTIALS_INVALID', `The GitHub token cannot see the organization "${organization}"`, {
        field: 'organization',
        status: org.status,
      });
    }
    if (!org.ok) throw upstream(org, '/orgs/:org');
  }
  return account;
}

/**
 * A GitHub App installation token can read `GET /installation/repositories`: it states how many
 * repositories the installation was granted (`total_count`) and whether that is all of the
 * account's or a selection; the account is the repositories' owner.
 */
async function verifyGithubInstallation(connection: IntegrationConnection): Promise<VerifiedAccount | undefined> {
  const response = await githubRequest(connection, '/installation/repositories?per_page=1');
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new DomainError('CREDENTIALS_INVALID', `GitHub refused the installation token (${response.status})`, {
      field: 'installationId',
      status: response.status,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw upstream(response, '/installation/repositories');
  }
  const body = (await response.json().catch(() => null)) as {
    total_count?: unknown;
    repository_selection?: unknown;
    repositories?: Array<{ owner?: unknown }>;
  } | null;
  const selection = body?.repository_selection === 'selected' ? 'selected' : 'all';
  const count = typeof body?.total_count === 'number' ? body.total_count : 0;
  const owner = accountOf(body?.repositories?.[0]?.owner ?? null);
  const organization = connection.settings['organization'];
  const id = owner?.id ?? `installation-${connection.settings['installationId']}`;
  const account = owner?.name ?? organization ?? `installation ${connection.settings['installationId']}`;
  return { id, name: `${account} (${selection === 'all' ? 'all' : `${count} selected`} repositories)` };
}

/** The GitHub user of `GET /user`: its numeric id (stable across renames) and login. */
function accountOf(body: unknown): VerifiedAccount | undefined {
  const user = body as { id?: unknown; login?: unknown } | null;
  return user && typeof user.id === 'number' && typeof user.login === 'string'
    ? { id: String(user.id), name: user.login }
    : undefined;
}

function upstream(response: Response, path: string): DomainError {
  return new DomainError('UPSTREAM_FAILED', `GitHub answered ${response.status} to GET ${path}`, {
    status: response.status,
    rateLimitRemaining: response.headers.get('x-ratelimit-remaining'),
  });
}
