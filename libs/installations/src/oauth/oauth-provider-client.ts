import type http from 'node:http';
import { Strategy as OAuth2Strategy, type Metadata, type StateStore } from 'passport-oauth2';
import { DomainError, isDomainError } from '@mooring/platform';
import type { OAuthClientCredentials } from '../installations.options.js';

/** One provider as a connect session or a refresh sees it: URLs already resolved for its host. */
export interface OAuthEndpoint {
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly scopes: readonly string[];
  readonly pkce: boolean;
  readonly extraAuthorizationParams: Readonly<Record<string, string>>;
  readonly client: OAuthClientCredentials;
  /** The exact redirect URI; providers compare it byte for byte with the registered one. */
  readonly redirectUrl: string;
  /** The SSRF-guarded agent token requests go through. */
  readonly tokenAgent: http.Agent;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Seconds, as the provider said; null when the token does not expire. */
  readonly expiresIn: number | null;
  readonly scope: string | null;
  /** The token response's other fields (e.g. an OpenID `id_token`), for the integration to read; never stored. */
  readonly response: Readonly<Record<string, unknown>>;
}

/** A token endpoint's refusal: `code` is the OAuth error (invalid_grant, ...) when the provider gave one. */
export class TokenEndpointError extends Error {
  override readonly name = 'TokenEndpointError';

  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The provider refused the grant itself: asking again will not help, a person must reconnect. */
  get refused(): boolean {
    if (this.code === 'server_error' || this.code === 'temporarily_unavailable') return false;
    return this.status === 400 || this.status === 401 || this.code !== null;
  }
}

interface VerifyResult {
  readonly verifier: string | true;
}

/**
 * passport-oauth2's strategy for one provider. It builds authorization URLs (state, PKCE S256)
 * and exchanges codes; Mooring keeps the state in PostgreSQL (the `StateStore` handed in) rather
 * than in a browser session, and sends token requests through the guarded agent.
 */
class ProviderStrategy extends OAuth2Strategy {
  constructor(
    private readonly endpoint: OAuthEndpoint,
    store: StateStore,
  ) {
    super(
      {
        authorizationURL: endpoint.authorizationUrl,
        tokenURL: endpoint.tokenUrl,
        clientID: endpoint.client.clientId,
        clientSecret: endpoint.client.clientSecret,
        callbackURL: endpoint.redirectUrl,
        scope: [...endpoint.scopes],
        scopeSeparator: ' ',
        pkce: endpoint.pkce,
        state: true,
        store,
        skipUserProfile: true,
        customHeaders: { accept: 'application/json', 'user-agent': 'mooring' },
      },
      (accessToken: string, refreshToken: string | undefined, params: Record<string, unknown>, _profile: unknown, done) =>
        done(null, toTokenSet(accessToken, refreshToken, params)),
    );
    this._oauth2.setAgent(endpoint.tokenAgent);
    refuseErrorBodies(this._oauth2);
  }

  override authorizationParams(): object {
    return { ...this.endpoint.extraAuthorizationParams };
  }

  /** RFC 6749 §6 through the same client as the code exchange. */
  refresh(refreshToken: string): Promise<TokenSet> {
    return new Promise((resolve, reject) => {
      this._oauth2.getOAuthAccessToken(
        refreshToken,
        { grant_type: 'refresh_token' },
        (error, accessToken, newRefreshToken, params) => {
          if (error) return reject(tokenEndpointError(error));
          if (!accessToken) return reject(new TokenEndpointError('The token endpoint returned no access token', null, null));
          resolve(toTokenSet(accessToken, newRefreshToken, (params ?? {}) as Record<string, unknown>));
        },
      );
    });
  }
}

/**
 * Some providers (github.com) refuse a grant with HTTP 200 and an `error` body. Without this, the
 * refusal would look like an answer without a token: a passing failure, asked again and again. It is
 * reported like the 400 it means, on the code exchange and on refreshes alike.
 */
function refuseErrorBodies(client: ProviderStrategy['_oauth2']): void {
  type TokenCallback = (
    error: { statusCode: number; data?: unknown } | null,
    accessToken: string,
    refreshToken: string,
    results: unknown,
  ) => void;
  const getToken = client.getOAuthAccessToken.bind(client) as (code: string, params: unknown, callback: TokenCallback) => void;
  const checked = (code: string, params: unknown, callback: TokenCallback) =>
    getToken(code, params, (error, accessToken, refreshToken, results) => {
      const refusal = (results as { error?: unknown } | undefined)?.error;
      if (!error && typeof refusal === 'string') return callback({ statusCode: 200, data: JSON.stringify(results) }, '', '', {});
      callback(error, accessToken, refreshToken, results);
    });
  client.getOAuthAccessToken = checked as typeof client.getOAuthAccessToken;
}

/** Runs the strategy for one request the way passport would, with callbacks instead of middleware. */
function run<T>(strategy: ProviderStrategy, query: Record<string, string>): Promise<{ redirect?: string; tokens?: T }> {
  return new Promise((resolve, reject) => {
    // passport augments a per-request copy of the strategy with these outcome functions.
    const action = Object.assign(Object.create(strategy) as ProviderStrategy, {
      redirect: (url: string) => resolve({ redirect: url }),
      success: (tokens: T) => resolve({ tokens }),
      fail: () => reject(new DomainError('OAUTH_STATE_INVALID', 'The authorization response does not match the connect session')),
      error: (error: unknown) => reject(error instanceof DomainError ? error : tokenEndpointError(error)),
    });
    action.authenticate({ query, body: {}, headers: {} } as never, {});
  });
}

/**
 * The provider's authorization URL for a new connect session. `persist` stores the session with
 * the PKCE verifier passport generated, before the URL is handed out.
 */
export async function buildAuthorizationUrl(
  endpoint: OAuthEndpoint,
  state: string,
  persist: (codeVerifier: string | null) => Promise<void>,
): Promise<string> {
  const store = {
    store(
      _req: unknown,
      verifier: string | undefined,
      _state: unknown,
      _meta: Metadata,
      callback: (error: Error | null, state?: string) => void,
    ) {
      persist(verifier ?? null).then(
        () => callback(null, state),
        (error: Error) => callback(error),
      );
    },
    verify(_req: unknown, _state: string, _meta: Metadata, callback: (error: Error | null, ok: boolean) => void) {
      callback(new Error('a new connect session has nothing to verify'), false);
    },
  };
  const { redirect } = await run(new ProviderStrategy(endpoint, store as unknown as StateStore), {});
  if (!redirect) throw new Error('passport-oauth2 did not produce an authorization URL');
  return redirect;
}

/**
 * Exchanges the authorization code (with the PKCE verifier and the exact redirect URI).
 * `verifyState` confirms the callback's state belongs to the claimed session.
 */
export async function exchangeCode(
  endpoint: OAuthEndpoint,
  query: Record<string, string>,
  verifyState: (state: string) => VerifyResult | null,
): Promise<TokenSet> {
  const store = {
    store(_req: unknown, _verifier: unknown, _state: unknown, _meta: Metadata, callback: (error: Error | null) => void) {
      callback(new Error('a callback does not open connect sessions'));
    },
    verify(_req: unknown, state: string, _meta: Metadata, callback: (error: Error | null, ok: string | boolean) => void) {
      const verified = verifyState(state);
      callback(null, verified ? verified.verifier : false);
    },
  };
  const { tokens } = await run<TokenSet>(new ProviderStrategy(endpoint, store as unknown as StateStore), query);
  if (!tokens) throw new TokenEndpointError('The provider answered without tokens', null, null);
  return tokens;
}

export function refreshTokens(endpoint: OAuthEndpoint, refreshToken: string): Promise<TokenSet> {
  return new ProviderStrategy(endpoint, undefined as unknown as StateStore).refresh(refreshToken);
}

function toTokenSet(accessToken: string, refreshToken: string | undefined, params: Record<string, unknown>): TokenSet {
  const expiresIn = Number(params['expires_in']);
  const { access_token: _access, refresh_token: _refresh, ...response } = params;
  return {
    accessToken,
    refreshToken: refreshToken || null,
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : null,
    scope: typeof params['scope'] === 'string' ? params['scope'] : null,
    response,
  };
}

/**
 * passport-oauth2 reports token endpoint failures as TokenError (with the OAuth error code) or
 * InternalOAuthError wrapping node-oauth's `{statusCode, data}` or a network error (which may be
 * the SSRF guard's HOST_NOT_ALLOWED).
 */
function tokenEndpointError(error: unknown): Error {
  const wrapped = (error as { oauthError?: unknown }).oauthError ?? error;
  if (isDomainError(wrapped)) return wrapped;
  const code = (error as { code?: unknown }).code;
  if (error instanceof Error && error.name === 'TokenError' && typeof code === 'string') {
    // The message is the provider's error_description, if it sent one.
    const description = error.message && error.message !== code ? ` (${error.message})` : '';
    return new TokenEndpointError(`The token endpoint refused: ${code}${description}`, code, 400, { cause: error });
  }
  const response = wrapped as { statusCode?: unknown; data?: unknown };
  if (typeof response.statusCode === 'number') {
    const providerCode = oauthErrorCode(response.data);
    const message =
      response.statusCode === 200 && providerCode
        ? `The token endpoint refused: ${providerCode}`
        : `The token endpoint answered ${response.statusCode}${providerCode ? ` (${providerCode})` : ''}`;
    return new TokenEndpointError(message, providerCode, response.statusCode);
  }
  const reason = wrapped instanceof Error ? ((wrapped as NodeJS.ErrnoException).code ?? wrapped.message) : String(wrapped);
  return new TokenEndpointError(`The token endpoint could not be reached (${reason})`, null, null, { cause: wrapped });
}

function oauthErrorCode(data: unknown): string | null {
  if (typeof data !== 'string' && !Buffer.isBuffer(data)) return null;
  const text = data.toString();
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    const error = new URLSearchParams(text).get('error');
    return error || null;
  }
}
