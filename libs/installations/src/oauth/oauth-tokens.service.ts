import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IntegrationDefinition } from '@mooring/integrations';
import type { RequestPolicy } from '@mooring/outbound';
import { CredentialRepository, type InstallationRecord, type RefreshClaim } from '@mooring/persistence';
import { DomainError, isDomainError } from '@mooring/platform';
import { refreshUnderLease } from '../credential-lease.js';
import { CredentialStore, type OAuth2Credential } from '../credential-store.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from '../installations.options.js';
import { InstallationLifecycle } from '../lifecycle/installation-lifecycle.js';
import { credentialsRefused } from '../lifecycle/installation-states.js';
import { OAuthEndpoints } from './oauth-endpoints.js';
import { TokenEndpointError, refreshTokens, type TokenSet } from './oauth-provider-client.js';

const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

/**
 * OAuth access tokens of installations, refreshed shortly before they expire. A refresh is
 * serialised twice: concurrent callers in one process share one promise, and across processes one
 * caller takes the credential's refresh lease in PostgreSQL and refreshes while the others poll
 * until it is released and then read what it wrote. No transaction is open and no row is locked
 * while the provider answers. So however many jobs ask at once, the token endpoint sees one
 * request, and a refresh token the provider rotates is never sent twice. A refusal (also one a
 * provider sends with HTTP 200) marks the installation needs_reauth once; later callers see that
 * state and do not ask the provider again.
 */
@Injectable()
export class OAuthTokens {
  private readonly logger = new Logger('OAuthTokens');
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly marginMs: number;

  constructor(
    private readonly credentials: CredentialRepository,
    private readonly store: CredentialStore,
    private readonly endpoints: OAuthEndpoints,
    @Inject(INSTALLATIONS_OPTIONS) options: InstallationsOptions,
    private readonly lifecycle: InstallationLifecycle,
  ) {
    this.marginMs = (options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000;
  }

  async accessToken(
    installation: InstallationRecord,
    integration: IntegrationDefinition,
    policy: RequestPolicy,
  ): Promise<string> {
    const read = await this.store.read(installation.orgId, installation.id);
    if (!read || read.payload.kind !== 'oauth2') throw reauth(installation, 'it has no OAuth tokens');
    if (!this.needsRefresh(read.payload)) return read.payload.accessToken;

    const key = `${installation.orgId}:${installation.id}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refreshUnderLock(installation, integration, policy).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Due when the token expires within the margin, or within half its lifetime for short-lived tokens. */
  needsRefresh(credential: OAuth2Credential, now = Date.now()): boolean {
    if (!credential.expiresAt) return false;
    const expiresAt = Date.parse(credential.expiresAt);
    const lifetime = expiresAt - Date.parse(credential.obtainedAt);
    return expiresAt - now <= Math.min(this.marginMs, lifetime / 2);
  }

  private async refreshUnderLock(
    installation: InstallationRecord,
    integration: IntegrationDefinition,
    policy: RequestPolicy,
  ): Promise<string> {
    return refreshUnderLease(this.credentials, installation.orgId, installation.id, {
      open: (claim) => this.current(installation, claim),
      fresh: (current) => (this.needsRefresh(current) ? undefined : current.accessToken),
      refresh: (current, leaseId) => this.refresh(installation, integration, policy, current, leaseId),
      gaveUp: () =>
        new DomainError('UPSTREAM_FAILED', `Refreshing the ${integration.title} token did not succeed; retry later`, {
          installationId: installation.id,
        }),
    });
  }

  /** The stored OAuth credential, unless the installation must be reconnected (then that error, releasing a lease taken). */
  private async current(installation: InstallationRecord, claim: RefreshClaim | null): Promise<OAuth2Credential> {
    const { orgId, id } = installation;
    const release = async () => {
      if (claim?.leaseId) await this.credentials.finishRefresh(orgId, id, claim.leaseId);
    };
    if (!claim) throw reauth(installation, 'it has no credentials');
    if (claim.installationState === 'needs_reauth') {
      await release();
      throw reauth(installation, 'its last token refresh was refused');
    }
    const current = await this.store.open(orgId, id, claim.credential).catch(async (error: unknown) => {
      await release();
      throw error;
    });
    if (current.kind !== 'oauth2') {
      await release();
      throw reauth(installation, 'it has no OAuth tokens');
    }
    return current;
  }

  /** Asks the provider for new tokens as the lease holder; stores them (or the refusal) as the lease ends. */
  private async refresh(
    installation: InstallationRecord,
    integration: IntegrationDefinition,
    policy: RequestPolicy,
    current: OAuth2Credential,
    leaseId: string,
  ): Promise<string> {
    const { orgId, id } = installation;
    const refused = async (reason: string, details: Record<string, unknown> = {}) => {
      const { transition } = await this.credentials.finishRefresh(orgId, id, leaseId, { transition: credentialsRefused(reason) });
      await this.lifecycle.transitioned(transition);
      return reauth(installation, reason, details);
    };
    if (!current.refreshToken) throw await refused('the access token expired and the provider gave no refresh token');
    let tokens: TokenSet;
    try {
      const client = current.client ?? this.endpoints.platformClient(integration);
      if (!client) throw new DomainError('CONFIG_INVALID', `No OAuth client is configured for ${integration.id}`);
      tokens = await refreshTokens(
        this.endpoints.endpoint(integration, installation.settings, client, policy),
        current.refreshToken,
      );
    } catch (error) {
      if (error instanceof TokenEndpointError && error.refused) {
        throw await refused(`the provider refused the token refresh (${error.code ?? `HTTP ${error.status}`})`, {
          providerError: error.code,
        });
      }
      await this.credentials.finishRefresh(orgId, id, leaseId);
      throw isDomainError(error)
        ? error
        : new DomainError('UPSTREAM_FAILED', `Refreshing the ${integration.title} token failed: ${(error as Error).message}`, {
            installationId: id,
          });
    }
    const refreshed = nextCredential(current, tokens);
    const { stored } = await this.credentials.finishRefresh(orgId, id, leaseId, {
      write: await this.store.seal(orgId, id, refreshed),
    });
    if (!stored) {
      // New credentials were written meanwhile (a reconnect), or the lease ran out and another took it over.
      this.logger.warn(`the refreshed token of installation ${id} was not stored: its credentials changed meanwhile`);
    }
    return refreshed.accessToken;
  }
}

/** The credential after a refresh: a rotated refresh token replaces the old one, or the old one stays. */
export function nextCredential(
  current: OAuth2Credential | null,
  tokens: TokenSet,
  client = current?.client ?? null,
): OAuth2Credential {
  const now = Date.now();
  return {
    kind: 'oauth2',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? current?.refreshToken ?? null,
    scope: tokens.scope ?? current?.scope ?? null,
    obtainedAt: new Date(now).toISOString(),
    expiresAt: tokens.expiresIn ? new Date(now + tokens.expiresIn * 1000).toISOString() : null,
    client,
  };
}

function reauth(installation: InstallationRecord, reason: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('REAUTH_REQUIRED', `Installation "${installation.name}" must be reconnected: ${reason}`, {
    installationId: installation.id,
    ...details,
  });
}
