import { Injectable } from '@nestjs/common';
import { Vault, type EncryptionContext } from '@mooring/crypto';
import { CredentialRepository, type NewCredential, type StoredCredential } from '@mooring/persistence';
import { isDomainError, registerSecret } from '@mooring/platform';
import type { OAuthClientCredentials } from './installations.options.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { secretHints } from './settings-form.js';

/** Held while forgetting a revoked minted token: a read and a write. */
const DROP_LEASE_MS = 30_000;

/** The secrets of a custom-settings installation (its sensitive fields). */
export interface SettingsCredential {
  readonly kind: 'settings';
  readonly secrets: Readonly<Record<string, string>>;
  /** The token last minted from the secrets (a GitHub App's installation token), while it lasts. */
  readonly minted?: MintedCredentialToken;
}

export interface MintedCredentialToken {
  readonly token: string;
  /** ISO instants: when it was minted and when the tool said it expires. */
  readonly obtainedAt: string;
  readonly expiresAt: string;
}

/** The tokens of an OAuth installation, and the organization's own OAuth client if it brought one. */
export interface OAuth2Credential {
  readonly kind: 'oauth2';
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly scope: string | null;
  /** ISO instants: when the token was obtained and when it expires (null: it does not). */
  readonly obtainedAt: string;
  readonly expiresAt: string | null;
  readonly client: OAuthClientCredentials | null;
}

export type CredentialPayload = SettingsCredential | OAuth2Credential;

/** The encryption context binding an installation's secrets to it and to its organization. */
export function credentialContext(orgId: string, installationId: string): EncryptionContext {
  return { orgId, installationId };
}

/**
 * Seals and opens installations' credentials. Whatever is opened is registered with the logger's
 * redaction, so a token that ends up in an error message or a log field is printed as [redacted].
 * A credential that fails its integrity check (modified, or copied from another installation or
 * organization) disables its installation until someone enters new credentials.
 */
@Injectable()
export class CredentialStore {
  constructor(
    private readonly vault: Vault,
    private readonly credentials: CredentialRepository,
    private readonly lifecycle: InstallationLifecycle,
  ) {}

  async seal(orgId: string, installationId: string, payload: CredentialPayload): Promise<NewCredential> {
    registerPayloadSecrets(payload);
    const envelope = await this.vault.seal(JSON.stringify(payload), credentialContext(orgId, installationId));
    return {
      kind: payload.kind,
      envelope,
      hints: payload.kind === 'settings' ? secretHints(payload.secrets) : {},
      expiresAt: expiryOf(payload),
    };
  }

  async open(orgId: string, installationId: string, stored: StoredCredential): Promise<CredentialPayload> {
    let plaintext: string;
    try {
      plaintext = await this.vault.open(stored.envelope, credentialContext(orgId, installationId));
    } catch (error) {
      if (isDomainError(error, 'CREDENTIALS_UNREADABLE') && error.details['reason'] === 'integrity') {
        await this.lifecycle.credentialsUnreadable(
          orgId,
          installationId,
          'its stored credentials failed their integrity check; enter them again',
        );
      }
      throw error;
    }
    const payload = JSON.parse(plaintext) as CredentialPayload;
    registerPayloadSecrets(payload);
    return payload;
  }

  /**
   * Forgets a cached minted token the tool revoked (a GitHub App installation suspended or
   * uninstalled), under the credential's refresh lease, so the next use mints a new one rather than
   * fail with it. Nothing when no token is cached, or when another process holds the lease (it is
   * minting: the tool refuses it while access is withdrawn).
   */
  async dropMinted(orgId: string, installationId: string): Promise<void> {
    const claim = await this.credentials.claimRefresh(orgId, installationId, DROP_LEASE_MS);
    if (!claim?.leaseId) return;
    let write: NewCredential | undefined;
    try {
      const current = await this.open(orgId, installationId, claim.credential);
      if (current.kind === 'settings' && current.minted) {
        write = await this.seal(orgId, installationId, { kind: 'settings', secrets: current.secrets });
      }
    } finally {
      await this.credentials.finishRefresh(orgId, installationId, claim.leaseId, write ? { write } : {});
    }
  }

  /** The names of the stored custom-settings secrets, from their hints: nothing is decrypted. */
  async storedSecretNames(orgId: string, installationId: string): Promise<ReadonlySet<string>> {
    const stored = await this.credentials.find(orgId, installationId);
    return new Set(stored?.kind === 'settings' ? Object.keys(stored.hints) : []);
  }

  async read(orgId: string, installationId: string): Promise<{ stored: StoredCredential; payload: CredentialPayload } | null> {
    const stored = await this.credentials.find(orgId, installationId);
    return stored && { stored, payload: await this.open(orgId, installationId, stored) };
  }
}

function expiryOf(payload: CredentialPayload): Date | null {
  const expiresAt = payload.kind === 'oauth2' ? payload.expiresAt : payload.minted?.expiresAt;
  return expiresAt ? new Date(expiresAt) : null;
}

export function registerPayloadSecrets(payload: CredentialPayload): void {
  const values =
    payload.kind === 'settings'
      ? [...Object.values(payload.secrets), payload.minted?.token]
      : [payload.accessToken, payload.refreshToken, payload.client?.clientSecret];
  for (const value of values) if (value) registerSecret(value, { runtime: true });
}
