import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationDefinition } from '@mooring/integrations';
import type { RequestPolicy } from '@mooring/outbound';
import {
  CredentialRepository,
  type InstallationRecord,
  type LockedCredential,
  type LockedCredentialOutcome,
} from '@mooring/persistence';
import { DomainError, isDomainError } from '@mooring/platform';
import { CredentialStore, type OAuth2Credential } from '../credential-store.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from '../installations.options.js';
import { InstallationLifecycle } from '../lifecycle/installation-lifecycle.js';
import { credentialsRefused } from '../lifecycle/installation-states.js';
import { OAuthEndpoints } from './oauth-endpoints.js';
import { TokenEndpointError, refreshTokens, type TokenSet } from './oauth-provider-client.js';

type RefreshResult = { readonly token: string } | { readonly error: DomainError } | { readonly retry: true };

// Waiting on another worker's refresh that then failed: try again, as the refresher this time.
const MAX_ATTEMPTS = 3;

const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

/**
 * OAuth access tokens of installations, refreshed shortly before they expire. A refresh is
 * serialised twice: concurrent callers in one process share one promise, and across processes one
 * caller takes the credential's row lock in PostgreSQL and refreshes while the others wait on it
 * and then re-read the row it wrote. So however many jobs ask at once, the token endpoint sees one
 * request, and a refresh token the provider rotates is never sent twice.
 */
@Injectable()
export class OAuthTokens {
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
    // A caller that waited on another worker's refresh retries only if that refresh did not land.
    for (let attempt = 1; ; attempt++) {
      const { result, transition } = await this.credentials.withLockedCredential(installation.orgId, installation.id, (locked) =>
        this.refreshLocked(installation, integration, policy, locked),
      );
      // Written under the lock, so waiting workers see it; what goes with it follows here.
      await this.lifecycle.transitioned(transition);
      if ('token' in result) return result.token;
      if ('error' in result) throw result.error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new DomainError('UPSTREAM_FAILED', `Refreshing the ${integration.title} token did not succeed; retry later`, {
          installationId: installation.id,
        });
      }
    }
  }

  private async refreshLocked(
    installation: InstallationRecord,
    integration: IntegrationDefinition,
    policy: RequestPolicy,
    locked: LockedCredential | null,
  ): Promise<LockedCredentialOutcome<RefreshResult>> {
    const { orgId, id } = installation;
    if (!locked) return { result: { error: reauth(installation, 'it has no credentials') } };
    if (locked.installationState === 'needs_reauth') {
      return { result: { error: reauth(installation, 'its last token refresh was refused') } };
    }
    const current = await this.store.open(orgId, id, locked.credential);
    if (current.kind !== 'oauth2') return { result: { error: reauth(installation, 'it has no OAuth tokens') } };
    // Another worker may have refreshed while this one waited for the lock.
    if (!this.needsRefresh(current)) return { result: { token: current.accessToken } };
    if (!locked.exclusive) return { result: { retry: true } };
    if (!current.refreshToken) {
      const reason = 'the access token expired and the provider gave no refresh token';
      return { result: { error: reauth(installation, reason) }, transition: credentialsRefused(reason) };
    }
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
        const reason = `the provider refused the token refresh (${error.code ?? `HTTP ${error.status}`})`;
        return {
          result: { error: reauth(installation, reason, { providerError: error.code }) },
          transition: credentialsRefused(reason),
        };
      }
      throw isDomainError(error)
        ? error
        : new DomainError('UPSTREAM_FAILED', `Refreshing the ${integration.title} token failed: ${(error as Error).message}`, {
            installationId: id,
          });
    }
    const refreshed = nextCredential(current, tokens);
    return { result: { token: refreshed.accessToken }, write: await this.store.seal(orgId, id, refreshed) };
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
