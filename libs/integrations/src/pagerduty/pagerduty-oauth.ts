import { DomainError } from '@mooring/platform';
import type { OAuth2Method } from '../integration-definition.js';
import { PAGERDUTY_REGIONS } from './pagerduty-client.js';

/** Scoped OAuth: read what the kinds list, manage the webhook subscription; `openid` for the ID token. */
export const PAGERDUTY_SCOPES = [
  'openid',
  'services.read',
  'incidents.read',
  'schedules.read',
  'oncalls.read',
  'escalation_policies.read',
  'users.read',
  'teams.read',
  'abilities.read',
  'webhook_subscriptions.read',
  'webhook_subscriptions.write',
] as const;

/** The `iss` of every PagerDuty ID token (PagerDuty's OpenID ID token documentation). */
export const PAGERDUTY_ID_TOKEN_ISSUER = 'https://identity.pagerduty.com/global/oauth/anonymous';
/** Clock difference tolerated on `exp` and `nbf`. */
const CLOCK_SKEW_SECONDS = 300;

/**
 * The account's service region, from the ID token the token endpoint returns with `openid`: its
 * `aud` names the region's API root (`https://api.pagerduty.com` or `https://api.eu.pagerduty.com`)
 * beside the client id. The token comes straight from PagerDuty's token endpoint over TLS, in the
 * answer to our own request, so its signature is not checked against PagerDuty's JWKS (OpenID
 * Connect Core §3.1.3.7 allows TLS to stand for it there); it is checked for shape: a JWT whose
 * claims name PagerDuty's issuer, our client, one known region, and are not expired. Without an ID
 * token (an app not granted `openid`) the region chosen at connect stays (`us` by default).
 */
export function pagerdutySettingsFromTokenResponse(
  response: Readonly<Record<string, unknown>>,
  client: { readonly clientId: string },
  now = Date.now(),
): Record<string, string> {
  const idToken = response['id_token'];
  if (idToken === undefined || idToken === null) return {};
  const claims = typeof idToken === 'string' ? jwtClaims(idToken) : null;
  if (!claims) throw unusable('its ID token is not a JWT');
  if (claims['iss'] !== PAGERDUTY_ID_TOKEN_ISSUER) throw unusable('its ID token was not issued by PagerDuty');
  const audience = typeof claims['aud'] === 'string' ? [claims['aud']] : claims['aud'];
  if (!Array.isArray(audience) || !audience.every((entry) => typeof entry === 'string')) {
    throw unusable('its ID token names no audience');
  }
  if (!audience.includes(client.clientId)) throw unusable('its ID token was issued to another OAuth client');
  const exp = claims['exp'];
  const nbf = claims['nbf'];
  if (typeof exp !== 'number' || exp + CLOCK_SKEW_SECONDS < now / 1000) throw unusable('its ID token has expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - CLOCK_SKEW_SECONDS > now / 1000)) {
    throw unusable('its ID token is not valid yet');
  }
  const roots = audience.filter((entry) => /^https?:\/\//.test(entry)).map((entry) => entry.replace(/\/+$/, ''));
  const regions = Object.entries(PAGERDUTY_REGIONS).filter(([, root]) => roots.includes(root));
  if (regions.length === 1) return { region: regions[0]![0] };
  if (regions.length > 1) throw unusable('its ID token names more than one service region');
  const named = roots[0] ? ` (${roots[0].slice(0, 100)})` : '';
  throw new DomainError(
    'OAUTH_EXCHANGE_FAILED',
    `PagerDuty's ID token names a service region Mooring does not know${named}: nothing was connected. Mooring supports us and eu`,
    { reason: 'region_unknown' },
  );
}

/** The claims of a compact JWS (header with an `alg`, claims a JSON object, a signature part), or null. */
function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(header) || typeof header['alg'] !== 'string' || !isRecord(claims)) return null;
    return claims;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unusable(why: string): DomainError {
  return new DomainError('OAUTH_EXCHANGE_FAILED', `PagerDuty's token response cannot be used: ${why}; nothing was connected`, {
    reason: 'id_token_invalid',
  });
}

// Same endpoints for US and EU accounts; scoped apps require PKCE.
export const pagerdutyOAuth2: OAuth2Method = {
  authorizationUrl: () => 'https://identity.pagerduty.com/oauth/authorize',
  tokenUrl: () => 'https://identity.pagerduty.com/oauth/token',
  scopes: PAGERDUTY_SCOPES,
  pkce: true,
  settingsFromTokenResponse: (response, client) => pagerdutySettingsFromTokenResponse(response, client),
};
