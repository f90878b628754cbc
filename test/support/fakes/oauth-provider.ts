import type { IncomingMessage } from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string | undefined;
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: string | undefined;
}

interface TokenRequestBody {
  readonly grant_type?: string;
  readonly code?: string;
  readonly redirect_uri?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly code_verifier?: string;
  readonly refresh_token?: string;
}

interface MutableResponse {
  body: Record<string, unknown>;
  statusCode: number;
}

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * A real OAuth 2.0 authorization server on loopback (oauth2-mock-server: it redirects /authorize
 * straight back with a code, signs JWT access tokens and checks PKCE verifiers), made as strict as
 * a production provider on the points Mooring relies on:
 * - codes are single-use and bound to the client and the exact redirect URI of their request;
 * - a code issued for a PKCE challenge is refused without the matching verifier;
 * - the client secret is checked;
 * - refresh tokens rotate: each is accepted once, and reuse is refused with invalid_grant;
 * - /userinfo answers 401 to a token it did not issue.
 */
export class OAuthProvider {
  readonly authorizeRequests: AuthorizeRequest[] = [];
  readonly tokenRequests: TokenRequestBody[] = [];
  /** Token responses by grant type, after the rules above were applied. */
  readonly refused: Array<{ grantType: string | undefined; error: string }> = [];
  /** Access token lifetime in seconds for the tokens issued from now on. */
  accessTokenLifetime = 3_600;
  /** Every access and refresh token this server issued: secrets that must not leak. */
  readonly issued: string[] = [];
  /** The account signed in at the provider: tokens issued from now on belong to it (/userinfo says so). */
  account = { sub: 'ada', name: 'Ada at the provider' };
  /** Make the next refresh fail with this OAuth error (e.g. invalid_grant for a revoked grant). */
  failNextRefresh: string | null = null;
  /** Make the next code exchange fail with this OAuth error (github.com: bad_verification_code). */
  failNextCode: string | null = null;
  /**
   * The status of refusals: 400 as RFC 6749 says, or 200 as github.com answers them (an `error`
   * body with HTTP 200).
   */
  refusalStatus: 400 | 200 = 400;

  private readonly codes = new Map<string, AuthorizeRequest>();
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, { sub: string; name: string }>();

  private constructor(
    private readonly server: OAuth2Server,
    readonly client: OAuthClient,
  ) {
    const service = server.service;
    service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: IncomingMessage) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const request: AuthorizeRequest = {
        clientId: query.get('client_id') ?? '',
        redirectUri: query.get('redirect_uri') ?? '',
        scope: query.get('scope') ?? undefined,
        state: query.get('state') ?? undefined,
        codeChallenge: query.get('code_challenge') ?? undefined,
        codeChallengeMethod: query.get('code_challenge_method') ?? undefined,
      };
      this.authorizeRequests.push(request);
      const code = redirect.url.searchParams.get('code');
      if (code) this.codes.set(code, request);
    });
    service.on('beforeResponse', (response: MutableResponse, req: IncomingMessage & { body: TokenRequestBody }) => {
      this.tokenRequests.push({ ...req.body });
      const error = this.check(req.body);
      if (error) {
        this.refused.push({ grantType: req.body.grant_type, error });
        response.statusCode = this.refusalStatus;
        response.body = { error, error_description: `refused by the test provider: ${error}` };
        return;
      }
      const refreshToken = `rt-${crypto.randomUUID()}`;
      this.refreshTokens.add(refreshToken);
      this.accessTokens.set(response.body['access_token'] as string, this.account);
      this.issued.push(refreshToken, response.body['access_token'] as string, response.body['id_token'] as string);
      response.body = { ...response.body, refresh_token: refreshToken, expires_in: this.accessTokenLifetime };
    });
    service.on('beforeUserinfo', (response: MutableResponse, req: IncomingMessage) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const account = token ? this.accessTokens.get(token) : undefined;
      if (!account) {
        response.statusCode = 401;
        response.body = { error: 'invalid_token' };
      } else {
        response.body = { ...account };
      }
    });
  }

  static async start(): Promise<OAuthProvider> {
    const server = new OAuth2Server();
    await server.issuer.keys.generate('RS256');
    await server.start(0, '127.0.0.1');
    const { port } = server.address();
    // It names itself "localhost", which the SSRF guard refuses even in tests; the address it listens on is fine.
    server.issuer.url = `http://127.0.0.1:${port}`;
    return new OAuthProvider(server, { clientId: 'mooring-test-client', clientSecret: `cs-${crypto.randomUUID()}` });
  }

  get issuer(): string {
    return this.server.issuer.url!;
  }

  count(grantType: string): number {
    return this.tokenRequests.filter((request) => request.grant_type === grantType).length;
  }

  /** Issues a grant directly (as if a user had connected earlier), for refresh tests. */
  issueRefreshToken(): string {
    const refreshToken = `rt-${crypto.randomUUID()}`;
    this.refreshTokens.add(refreshToken);
    this.issued.push(refreshToken);
    return refreshToken;
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.server.stop();
  }

  private check(body: TokenRequestBody): string | null {
    if (body.client_id !== this.client.clientId || body.client_secret !== this.client.clientSecret) return 'invalid_client';
    if (body.grant_type === 'authorization_code') {
      if (this.failNextCode) {
        const error = this.failNextCode;
        this.failNextCode = null;
        return error;
      }
      const request = body.code ? this.codes.get(body.code) : undefined;
      if (!request) return 'invalid_grant';
      this.codes.delete(body.code!);
      if (request.clientId !== body.client_id || request.redirectUri !== body.redirect_uri) return 'invalid_grant';
      // oauth2-mock-server checks a verifier that is sent; a missing one must fail too.
      if (request.codeChallenge && !body.code_verifier) return 'invalid_grant';
      return null;
    }
    if (body.grant_type === 'refresh_token') {
      if (this.failNextRefresh) {
        const error = this.failNextRefresh;
        this.failNextRefresh = null;
        return error;
      }
      if (!body.refresh_token || !this.refreshTokens.delete(body.refresh_token)) return 'invalid_grant';
      return null;
    }
    return 'unsupported_grant_type';
  }
}
