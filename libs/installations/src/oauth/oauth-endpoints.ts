import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationDefinition, OAuth2Method } from '@mooring/integrations';
import { OutboundHttp, type RequestPolicy } from '@mooring/outbound';
import { DomainError } from '@mooring/platform';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions, type OAuthClientCredentials } from '../installations.options.js';
import type { OAuthEndpoint } from './oauth-provider-client.js';

/** Resolves an integration's OAuth URLs for an installation's settings, and the client to use. */
@Injectable()
export class OAuthEndpoints {
  constructor(
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
    private readonly outbound: OutboundHttp,
  ) {}

  /** The api's callback URL; only the api connects, so only it has one. */
  get redirectUrl(): string {
    const connect = this.options.oauthConnect;
    if (!connect) throw new DomainError('CONFIG_INVALID', 'OAuth connect is not configured in this process (OAUTH_REDIRECT_URL)');
    return connect.redirectUrl;
  }

  method(integration: IntegrationDefinition): OAuth2Method {
    const method = integration.auth.oauth2;
    if (!method) {
      throw new DomainError('VALIDATION_FAILED', `${integration.title} does not connect with OAuth`, {
        fields: [{ field: 'integrationId', message: 'does not support OAuth' }],
      });
    }
    return method;
  }

  /**
   * The issuer identifier authorization responses must name in `iss` (RFC 9207), when they send it:
   * the authorization server's origin, as github.com, GitHub Enterprise and most providers use.
   */
  issuer(integration: IntegrationDefinition, settings: Readonly<Record<string, string>>): string {
    return new URL(this.method(integration).authorizationUrl(settings)).origin;
  }

  /** Mooring's own OAuth application for the integration, when one is configured. */
  platformClient(integration: Pick<IntegrationDefinition, 'id'>): OAuthClientCredentials | null {
    return this.options.oauthClients[integration.id] ?? null;
  }

  /**
   * The endpoint for these settings. Token URLs may depend on a user-supplied host, so each is
   * checked by the SSRF guard, and token requests go through its agent.
   */
  endpoint(
    integration: IntegrationDefinition,
    settings: Readonly<Record<string, string>>,
    client: OAuthClientCredentials,
    policy: RequestPolicy,
  ): OAuthEndpoint {
    const method = this.method(integration);
    const authorizationUrl = this.outbound.checkUrl(method.authorizationUrl(settings), policy).toString();
    const tokenUrl = this.outbound.checkUrl(method.tokenUrl(settings), policy);
    return {
      authorizationUrl,
      tokenUrl: tokenUrl.toString(),
      scopes: method.scopes,
      pkce: method.pkce,
      extraAuthorizationParams: method.extraAuthorizationParams ?? {},
      client,
      // Refreshing (in the worker) sends no redirect URI; connecting (in the api) must.
      redirectUrl: this.options.oauthConnect?.redirectUrl ?? '',
      tokenAgent: this.outbound.nodeAgent(tokenUrl),
    };
  }
}
