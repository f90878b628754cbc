import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type http from 'node:http';
import { LoopbackServer, sendJson, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';
import type { IntegrationConnection, IntegrationDefinition, KindDefinition } from '../../integration-definition.js';
import { PAGERDUTY_REGIONS, pagerdutyRegion } from '../pagerduty-client.js';
import { PAGERDUTY_ID_TOKEN_ISSUER, pagerdutyOAuth2 } from '../pagerduty-oauth.js';
import { pagerduty } from '../pagerduty.definition.js';
import type { FakePagerduty } from './fake-pagerduty.server.js';

// PagerDuty's identity service (identity.pagerduty.com, the same for US and EU accounts) on
// loopback: scoped OAuth's authorization-code flow with PKCE S256 (codes single-use, bound to the
// client and redirect URI), `pdus+_0…` access and `pdus+_1…` refresh tokens, refresh tokens that
// rotate, and with `openid` an RS256 ID token whose claims follow PagerDuty's OpenID ID token
// documentation (`iss`, `aud` = [the account's regional API root, the client id], `region`,
// `subdomain`, `account_id`, …). Tokens it issues are accepted by the signed-in account's fake API.

/** The account a person signs in to at PagerDuty, and what its ID token says. */
export interface FakePagerdutyAccount {
  readonly api: FakePagerduty;
  readonly region: 'us' | 'eu';
  readonly subdomain: string;
  /** What the token endpoint returns as `id_token` with `openid`: a real token, none, or these exact bytes. */
  idToken?: 'issued' | 'none' | { readonly raw: string };
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly account: FakePagerdutyAccount;
}

const REGION_CLAIM = { us: 'UnitedStates', eu: 'Europe' } as const;

export class FakePagerdutyIdentity {
  readonly client = { clientId: randomUUID(), clientSecret: `pd-secret-${randomBytes(16).toString('hex')}` };
  /** Where people sign in: the account the next authorization belongs to. */
  account: FakePagerdutyAccount | undefined;
  /** Seconds an access token lives (PagerDuty's scoped tokens: a day). */
  accessTokenLifetime = 86_400;
  readonly tokenRequests: Array<Record<string, string>> = [];
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, { account: FakePagerdutyAccount; scope: string }>();
  private static readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  private constructor(private readonly server: LoopbackServer) {}

  static async start(): Promise<FakePagerdutyIdentity> {
    const started: { fake?: FakePagerdutyIdentity } = {};
    const server = await LoopbackServer.start((request, response) => started.fake!.answer(request, response));
    return (started.fake = new FakePagerdutyIdentity(server));
  }

  get origin(): string {
    return this.server.origin;
  }

  /** An ID token as PagerDuty signs it (RS256), with these claims over the documented ones. */
  static idToken(claims: Record<string, unknown>): string {
    const header = { alg: 'RS256', kid: '1787345008', typ: 'JWT' };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${encode(header)}.${encode(claims)}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), FakePagerdutyIdentity.keys.privateKey).toString('base64url')}`;
  }

  /** The documented claims of an ID token for `account`, issued to `clientId` now. */
  static claims(account: Pick<FakePagerdutyAccount, 'region' | 'subdomain'>, clientId: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      exp: now + 3_600,
      nbf: now,
      jti: randomUUID(),
      iss: PAGERDUTY_ID_TOKEN_ISSUER,
      aud: [PAGERDUTY_REGIONS[account.region], clientId],
      sub: `ada@${account.subdomain}.example`,
      auth_time: now,
      iat: now,
      purpose: 'id',
      account_id: `P${account.subdomain.toUpperCase().slice(0, 6)}`,
      user_id: 'PUSR1',
      azp: clientId,
      subdomain: account.subdomain,
      region: REGION_CLAIM[account.region],
      sid: randomBytes(8).toString('hex'),
    };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private answer(request: RecordedRequest, response: http.ServerResponse): void {
    const url = new URL(request.url, this.origin);
    if (request.method === 'GET' && url.pathname === '/oauth/authorize') return this.authorize(url.searchParams, response);
    if (request.method === 'POST' && url.pathname === '/oauth/token') {
      const body = Object.fromEntries(new URLSearchParams(request.body));
      this.tokenRequests.push(body);
      return this.token(body, response);
    }
    sendJson(response, 404, { error: 'not_found' });
  }

  private authorize(query: URLSearchParams, response: http.ServerResponse): void {
    const redirectUri = query.get('redirect_uri') ?? '';
    const challenge = query.get('code_challenge');
    if (query.get('client_id') !== this.client.clientId || !redirectUri || !this.account) {
      return sendJson(response, 400, { error: 'invalid_request' });
    }
    if (!challenge || query.get('code_challenge_method') !== 'S256') {
      return sendJson(response, 400, { error: 'invalid_request', error_description: 'PKCE S256 is required' });
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, {
      clientId: this.client.clientId,
      redirectUri,
      codeChallenge: challenge,
      scope: query.get('scope') ?? '',
      account: this.account,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    if (query.get('state')) back.searchParams.set('state', query.get('state')!);
    response.writeHead(302, { location: back.toString() }).end();
  }

  private token(body: Record<string, string>, response: http.ServerResponse): void {
    const refuse = (error: string) => sendJson(response, 400, { error, error_description: `refused: ${error}` });
    if (body['client_id'] !== this.client.clientId || body['client_secret'] !== this.client.clientSecret) {
      return refuse('invalid_client');
    }
    if (body['grant_type'] === 'authorization_code') {
      const pending = this.codes.get(body['code'] ?? '');
      this.codes.delete(body['code'] ?? '');
      const verifier = body['code_verifier'] ?? '';
      if (!pending || pending.redirectUri !== body['redirect_uri']) return refuse('invalid_grant');
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) return refuse('invalid_grant');
      return this.issue(response, pending.account, pending.scope, true);
    }
    if (body['grant_type'] === 'refresh_token') {
      const grant = this.refreshTokens.get(body['refresh_token'] ?? '');
      if (!grant) return refuse('invalid_grant');
      this.refreshTokens.delete(body['refresh_token']!);
      // PagerDuty's refresh answer carries new tokens and no ID token.
      return this.issue(response, grant.account, grant.scope, false);
    }
    refuse('unsupported_grant_type');
  }

  private issue(response: http.ServerResponse, account: FakePagerdutyAccount, scope: string, withIdToken: boolean): void {
    const accessToken = `pdus+_0${randomBytes(18).toString('base64url')}`;
    const refreshToken = `pdus+_1${randomBytes(18).toString('base64url')}`;
    account.api.addOAuthToken(accessToken);
    this.refreshTokens.set(refreshToken, { account, scope });
    const mode = account.idToken ?? 'issued';
    const idToken =
      !withIdToken || !scope.split(' ').includes('openid') || mode === 'none'
        ? undefined
        : mode === 'issued'
          ? FakePagerdutyIdentity.idToken(FakePagerdutyIdentity.claims(account, this.client.clientId))
          : mode.raw;
    sendJson(response, 200, {
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      scope,
      expires_in: this.accessTokenLifetime,
    });
  }
}

/**
 * The PagerDuty integration with its OAuth endpoints at the fake identity service and each service
 * region's API root at a fake PagerDuty: the region is still chosen by the installation's settings
 * (`pagerdutyRegion`), only the root it names is on loopback.
 */
export function pagerdutyOnFakes(identityOrigin: string, roots: Readonly<Record<'us' | 'eu', string>>): IntegrationDefinition {
  const onFake = (connection: IntegrationConnection): IntegrationConnection => ({
    ...connection,
    settings: { ...connection.settings, apiUrl: roots[pagerdutyRegion(connection.settings) as 'us' | 'eu'] },
  });
  const live = pagerduty.liveEvents!;
  return {
    ...pagerduty,
    auth: {
      ...pagerduty.auth,
      oauth2: {
        ...pagerdutyOAuth2,
        authorizationUrl: () => `${identityOrigin}/oauth/authorize`,
        tokenUrl: () => `${identityOrigin}/oauth/token`,
      },
    },
    kinds: Object.fromEntries(
      Object.entries(pagerduty.kinds).map(([name, kind]) => [
        name,
        { ...kind, extract: (connection, selector) => kind.extract(onFake(connection), selector) } satisfies KindDefinition,
      ]),
    ),
    verifyCredentials: (connection) => pagerduty.verifyCredentials(onFake(connection)),
    liveEvents: {
      ...live,
      register: (connection, hook) => live.register!(onFake(connection), hook),
      unregister: (connection, registration) => live.unregister!(onFake(connection), registration),
      fetchItem: (connection, kind, itemId, selector) => live.fetchItem(onFake(connection), kind, itemId, selector),
    },
  };
}
