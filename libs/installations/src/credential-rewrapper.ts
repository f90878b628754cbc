import { Injectable } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import { CredentialRepository } from '@mooring/persistence';
import { credentialContext } from './credential-store.js';
import { rewrapEnvelopes, type RewrapOptions, type RewrapReport } from './envelope-rewrap.js';

/**
 * Key rotation: wraps every credential's data key under the vault's current key, each row swapped
 * on its version, so a token refresh that wrote meanwhile (already under the current key) wins.
 */
@Injectable()
export class CredentialRewrapper {
  constructor(
    private readonly vault: Vault,
    private readonly credentials: CredentialRepository,
  ) {}

  async rewrapAll(options: RewrapOptions = {}): Promise<RewrapReport> {
    return rewrapEnvelopes<number>(
      this.vault,
      {
        list: (currentKeyId, limit) => this.credentials.listWrappedUnderOtherKeys(currentKeyId, limit),
        find: async (orgId, installationId) => {
          const stored = await this.credentials.find(orgId, installationId);
          return stored && { envelope: stored.envelope, stamp: stored.version };
        },
        rewrap: (orgId, installationId, envelope) => this.vault.rewrap(envelope, credentialContext(orgId, installationId)),
        swap: (orgId, installationId, version, wrapped) => this.credentials.rewrap(orgId, installationId, version, wrapped),
      },
      options,
    );
  }
}
