import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { DomainError } from '@mooring/platform';
import type { MintedToken, MintedTokenMethod, MintRequest, OutboundFetch } from '../integration-definition.js';
import { githubApiBase, githubWebOrigin } from './github-auth.js';

// A GitHub App installation: the App's id and private key sign a short JWT (RS256), which buys an
// installation token valid for an hour (POST /app/installations/:id/access_tokens). `jose` signs
// it, as it signs Mooring's own access tokens; node:crypto reads the PEM (PKCS#1 or PKCS#8).

/** The form fields of a GitHub App installation (the private key is sealed like every secret). */
export const APP_FIELDS = { appId: 'appId', privateKey: 'privateKey', installationId: 'installationId' } as const;

// GitHub recommends an `iat` 60 s in the past (clock drift) and refuses an `exp` over 10 minutes ahead.
const IAT_SKEW_SECONDS = 60;
const JWT_LIFETIME_SECONDS = 540;
const NUMERIC_ID = /^[1-9][0-9]{0,18}$/;

export function isGithubApp(settings: Readonly<Record<string, string>>): boolean {
  return Boolean(settings[APP_FIELDS.appId] || settings[APP_FIELDS.installationId]);
}

/** The App's JWT: `iat` a minute back, `exp` nine minutes ahead, `iss` the App id, signed RS256. */
export async function githubAppJwt(appId: string, privateKey: KeyObject | string, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000) - IAT_SKEW_SECONDS;
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + IAT_SKEW_SECONDS + JWT_LIFETIME_SECONDS)
    .setIssuer(appId)
    .sign(key);
}

/** The private key as an RSA key, or VALIDATION_FAILED naming the field (never echoing the key). */
export function parseAppPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: rewrapPem(pem), format: 'pem' });
  } catch {
    throw invalid(APP_FIELDS.privateKey, 'is not a PEM private key (paste the whole .pem file GitHub generated)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw invalid(APP_FIELDS.privateKey, `is a ${key.asymmetricKeyType ?? 'non-RSA'} key; a GitHub App key is RSA`);
  }
  return key;
}

/**
 * Either a token, or the three App fields with numeric ids and an RSA private key. Each problem is
 * a VALIDATION_FAILED naming its field, before anything is sent to GitHub.
 */
export function validateGithubSettings(
  settings: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): void {
  const app = isGithubApp(settings) || Boolean(secrets[APP_FIELDS.privateKey]);
  if (!app) {
    if (!secrets['token']) throw invalid('token', 'is required (or fill in the GitHub App fields instead)');
    return;
  }
  if (secrets['token']) throw invalid('token', 'must be empty for a GitHub App installation: give a token or the App fields');
  for (const field of [APP_FIELDS.appId, APP_FIELDS.installationId]) {
    const value = settings[field];
    if (!value) throw invalid(field, 'is required for a GitHub App installation');
    if (!NUMERIC_ID.test(value)) throw invalid(field, 'must be a number (as GitHub shows it)');
  }
  const pem = secrets[APP_FIELDS.privateKey];
  if (!pem) throw invalid(APP_FIELDS.privateKey, 'is required for a GitHub App installation');
  parseAppPrivateKey(pem);
}

/**
 * `POST /app/installations/:id/access_tokens` with the App's JWT. 401 (the key or App id is
 * wrong), 403 (suspended, or an IP allow list) and 404 (uninstalled) are CREDENTIALS_INVALID: the
 * installation must be set up again.
 */
export async function mintInstallationToken(request: MintRequest): Promise<MintedToken> {
  const { settings, secrets } = request;
  return mintAppInstallationToken({
    apiBase: githubApiBase(settings),
    appId: settings[APP_FIELDS.appId] ?? '',
    privateKey: secrets[APP_FIELDS.privateKey] ?? '',
    installationId: settings[APP_FIELDS.installationId] ?? '',
    fetch: request.fetch,
    signal: request.signal,
  });
}

/** An App, one of its installations, and how to reach GitHub's API. */
export interface AppInstallationRequest {
  readonly apiBase: string;
  readonly appId: string;
  readonly privateKey: string;
  readonly installationId: string;
  readonly fetch: OutboundFetch;
  readonly signal: AbortSignal;
}

/** What GitHub says of an installation of the App (`GET /app/installations/:id`). */
export interface AppInstallationFacts {
  readonly id: string;
  readonly account: { readonly login: string; readonly type: string };
  readonly repositorySelection: 'all' | 'selected';
  readonly suspended: boolean;
}

/**
 * The installation's settings page on GitHub, where the account's owners choose the repositories it
 * reads (or suspend or uninstall it): under the organization, or the user's own settings; null for
 * another account type (an enterprise).
 */
export function appInstallationSettingsUrl(
  settings: Readonly<Record<string, string>>,
  account: { readonly login: string; readonly type: string },
  installationId: string,
): string | null {
  const installations = `settings/installations/${encodeURIComponent(installationId)}`;
  const web = githubWebOrigin(settings);
  if (account.type === 'Organization') return `${web}/organizations/${encodeURIComponent(account.login)}/${installations}`;
  return account.type === 'User' ? `${web}/${installations}` : null;
}

export async function mintAppInstallationToken(request: AppInstallationRequest): Promise<MintedToken> {
  const { installationId } = request;
  const response = await appRequest(request, 'POST', `/app/installations/${encodeURIComponent(installationId)}/access_tokens`);
  const body = (await response.json().catch(() => null)) as { token?: unknown; expires_at?: unknown; message?: unknown } | null;
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    const said = typeof body?.message === 'string' ? `: ${body.message.slice(0, 200)}` : '';
    const field = response.status === 401 ? APP_FIELDS.privateKey : APP_FIELDS.installationId;
    throw new DomainError(
      'CREDENTIALS_INVALID',
      `GitHub refused an installation token for installation ${installationId} (${response.status}${said})`,
      { field, status: response.status },
    );
  }
  if (response.status !== 201 && response.status !== 200) {
    throw new DomainError('UPSTREAM_FAILED', `GitHub answered ${response.status} to POST /app/installations/:id/access_tokens`, {
      status: response.status,
    });
  }
  const expiresAt = typeof body?.expires_at === 'string' ? Date.parse(body.expires_at) : NaN;
  if (typeof body?.token !== 'string' || !body.token || Number.isNaN(expiresAt)) {
    throw new DomainError('UPSTREAM_MALFORMED', 'GitHub answered an installation token without `token` or `expires_at`');
  }
  return { token: body.token, expiresAt: new Date(expiresAt).toISOString() };
}

/**
 * `GET /app/installations/:id` with the App's JWT: the installation's account and repository
 * selection, or null when GitHub answers 404 (no such installation of this App).
 */
export async function readAppInstallation(request: AppInstallationRequest): Promise<AppInstallationFacts | null> {
  const response = await appRequest(request, 'GET', `/app/installations/${encodeURIComponent(request.installationId)}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new DomainError('UPSTREAM_FAILED', `GitHub answered ${response.status} to GET /app/installations/:id`, {
      status: response.status,
    });
  }
  const body = (await response.json().catch(() => null)) as {
    id?: unknown;
    account?: { login?: unknown; type?: unknown } | null;
    repository_selection?: unknown;
    suspended_at?: unknown;
  } | null;
  const login = body?.account?.login;
  const selection = body?.repository_selection;
  if (
    String(body?.id) !== request.installationId ||
    typeof login !== 'string' ||
    !login ||
    (selection !== 'all' && selection !== 'selected')
  ) {
    throw new DomainError(
      'UPSTREAM_MALFORMED',
      'GitHub answered GET /app/installations/:id without its id, account or repository_selection',
    );
  }
  const type = typeof body?.account?.type === 'string' ? body.account.type : 'Organization';
  return {
    id: request.installationId,
    account: { login, type },
    repositorySelection: selection,
    suspended: Boolean(body?.suspended_at),
  };
}

async function appRequest(request: AppInstallationRequest, method: 'GET' | 'POST', path: string): Promise<Response> {
  if (!NUMERIC_ID.test(request.installationId)) throw invalid(APP_FIELDS.installationId, 'must be a number (as GitHub shows it)');
  const jwt = await githubAppJwt(request.appId, parseAppPrivateKey(request.privateKey));
  return request.fetch(`${request.apiBase}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${jwt}`,
      'user-agent': 'mooring',
      'x-github-api-version': '2022-11-28',
    },
    signal: request.signal,
  });
}

export const githubAppTokens: MintedTokenMethod = {
  uses: isGithubApp,
  validate: validateGithubSettings,
  mint: mintInstallationToken,
};

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]+)-----END \1-----$/;

/**
 * A PEM as OpenSSL reads it, from one pasted into a single-line or masked input (which drops the
 * line breaks): the body re-wrapped at 64 characters between its armour lines.
 */
export function rewrapPem(pem: string): string {
  const parts = PEM.exec(pem.trim());
  if (!parts) return pem;
  const body = parts[2]!.replace(/\s+/g, '');
  return `-----BEGIN ${parts[1]}-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${parts[1]}-----\n`;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `settings.${field} ${message}`, {
    fields: [{ field: `settings.${field}`, message }],
  });
}
