import { Inject, Injectable } from '@nestjs/common';
import { GITHUB_APP_FIELDS, type IntegrationDefinition, type MintedTokenMethod, type OutboundFetch } from '@mooring/integrations';
import { CredentialRepository, InstallationRepository, type InstallationRecord, type RefreshClaim } from '@mooring/persistence';
import { DomainError, isDomainError } from '@mooring/platform';
import { refreshUnderLease } from './credential-lease.js';
import { CredentialStore, type MintedCredentialToken, type SettingsCredential } from './credential-store.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from './installations.options.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { credentialsRefused } from './lifecycle/installation-states.js';

/** A minted token is replaced this long before it expires (GitHub's last an hour), or at half its life if shorter. */
export const MINT_MARGIN_MS = 5 * 60_000;

/** Whether a cached token is due for replacement: absent, or within the margin of its expiry. */
export function mintDue(minted: MintedCredentialToken | undefined, now = Date.now(), marginMs = MINT_MARGIN_MS): boolean {
  if (!minted) return true;
  const expiresAt = Date.parse(minted.expiresAt);
  const lifetime = expiresAt - Date.parse(minted.obtainedAt);
  if (Number.isNaN(expiresAt) || Number.isNaN(lifetime)) return true;
  return expiresAt - now <= Math.min(marginMs, lifetime / 2);
}

/**
 * Tokens minted from an installation's sealed secrets (a GitHub App's installation tokens), cached
 * sealed beside them until shortly before they expire. Minting is serialised like an OAuth
 * refresh (oauth/oauth-tokens.service.ts): one promise per installation in a process, and the
 * credential's refresh lease in PostgreSQL across processes, so however many workers ask at once
 * the tool mints one token. A refusal (revoked, suspended or uninstalled) marks the installation
 * needs_reauth and is CREDENTIALS_INVALID; nothing else changes.
 */
@Injectable()
export class MintedTokens {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly credentials: CredentialRepository,
    private readonly store: CredentialStore,
    private readonly lifecycle: InstallationLifecycle,
    private readonly installations: InstallationRepository,
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
  ) {}

  async accessToken(
    installation: InstallationRecord,
    integration: IntegrationDefinition,
    fetch: OutboundFetch,
    signal: AbortSignal,
  ): Promise<string> {
    const method = integration.auth.mintedTokens;
    if (!method) throw new DomainError('INTERNAL', `${integration.id} does not mint tokens`);
    const read = await this.store.read(installation.orgId, installation.id);
    if (!read || read.payload.kind !== 'settings') throw noCredentials(installation);
    if (!mintDue(read.payload.minted)) return read.payload.minted!.token;

    const key = `${installation.orgId}:${installation.id}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.mintUnderLease(installation, method, fetch, signal).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async mintUnderLease(
    installation: InstallationRecord,
    method: MintedTokenMethod,
    fetch: OutboundFetch,
    signal: AbortSignal,
  ): Promise<string> {
    return refreshUnderLease(
      this.credentials,
      installation.orgId,
      installation.id,
      {
        open: (claim) => this.current(installation, claim),
        fresh: (current) => (mintDue(current.minted) ? undefined : current.minted!.token),
        refresh: (current, leaseId) => this.mint(installation, method, current, leaseId, fetch, signal),
        gaveUp: () =>
          new DomainError('UPSTREAM_FAILED', 'Minting an installation token did not finish; retry later', {
            installationId: installation.id,
          }),
      },
      signal,
    );
  }

  private async current(installation: InstallationRecord, claim: RefreshClaim | null): Promise<SettingsCredential> {
    const { orgId, id } = installation;
    const release = async () => {
      if (claim?.leaseId) await this.credentials.finishRefresh(orgId, id, claim.leaseId);
    };
    if (!claim) throw noCredentials(installation);
    if (claim.installationState === 'needs_reauth') {
      await release();
      throw new DomainError('REAUTH_REQUIRED', `Installation "${installation.name}" needs new credentials`, {
        installationId: id,
      });
    }
    const current = await this.store.open(orgId, id, claim.credential).catch(async (error: unknown) => {
      await release();
      throw error;
    });
    if (current.kind !== 'settings') {
      await release();
      throw noCredentials(installation);
    }
    return current;
  }

  /** Mints as the lease holder and stores the token (or the refusal) as the lease ends. */
  private async mint(
    installation: InstallationRecord,
    method: MintedTokenMethod,
    current: SettingsCredential,
    leaseId: string,
    fetch: OutboundFetch,
    signal: AbortSignal,
  ): Promise<string> {
    const { orgId, id } = installation;
    const obtainedAt = new Date().toISOString();
    try {
      const minted = await method.mint({ ...(await this.mintInput(installation, current)), fetch, signal });
      const next: SettingsCredential = { kind: 'settings', secrets: current.secrets, minted: { ...minted, obtainedAt } };
      await this.credentials.finishRefresh(orgId, id, leaseId, { write: await this.store.seal(orgId, id, next) });
      return minted.token;
    } catch (error) {
      if (isDomainError(error, 'CREDENTIALS_INVALID')) {
        const { transition } = await this.credentials.finishRefresh(orgId, id, leaseId, {
          transition: credentialsRefused(error.message),
        });
        await this.lifecycle.transitioned(transition);
      } else {
        await this.credentials.finishRefresh(orgId, id, leaseId);
      }
      throw error;
    }
  }

  /**
   * What a token is minted from: the installation's own settings and sealed secrets, or, for an
   * installation of Mooring's GitHub App, the platform App's id and key with the GitHub
   * installation recorded when it was installed (never the settings a PATCH can change).
   */
  private async mintInput(installation: InstallationRecord, current: SettingsCredential) {
    const link = await this.installations.platformApp(installation.orgId, installation.id);
    if (!link) return { settings: installation.settings, secrets: current.secrets };
    const app = this.options.githubApp;
    if (!app) {
      throw new DomainError(
        'CREDENTIALS_INVALID',
        'Mooring’s GitHub App is no longer configured on this service (GITHUB_APP_*)',
        {
          installationId: installation.id,
        },
      );
    }
    return {
      settings: {
        ...installation.settings,
        [GITHUB_APP_FIELDS.appId]: app.appId,
        [GITHUB_APP_FIELDS.installationId]: link.externalId,
      },
      secrets: { [GITHUB_APP_FIELDS.privateKey]: app.privateKey },
    };
  }
}

function noCredentials(installation: InstallationRecord): DomainError {
  return new DomainError('REAUTH_REQUIRED', `Installation "${installation.name}" has no stored credentials`, {
    installationId: installation.id,
  });
}
