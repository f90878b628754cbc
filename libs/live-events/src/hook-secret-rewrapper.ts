import { Injectable } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import { rewrapEnvelopes, type RewrapOptions, type RewrapReport } from '@mooring/installations';
import { LiveEventRepository } from '@mooring/persistence';
import { HookSecrets } from './hook-secrets.js';

/**
 * Key rotation of hooks' sealed secrets, as `CredentialRewrapper` does credentials: each row is
 * swapped only while it still holds the data key read, so a secret rotation meanwhile wins.
 */
@Injectable()
export class HookSecretRewrapper {
  constructor(
    private readonly vault: Vault,
    private readonly hooks: LiveEventRepository,
    private readonly secrets: HookSecrets,
  ) {}

  async rewrapAll(options: RewrapOptions = {}): Promise<RewrapReport> {
    return rewrapEnvelopes<{ keyId: string; encryptedDataKey: Buffer }>(
      this.vault,
      {
        list: (currentKeyId, limit) => this.hooks.listHooksWrappedUnderOtherKeys(currentKeyId, limit),
        find: async (orgId, installationId) => {
          const hook = await this.hooks.hook(orgId, installationId);
          return hook && { envelope: hook.envelope, stamp: hook.envelope };
        },
        rewrap: (orgId, installationId, envelope) => this.secrets.rewrap(orgId, installationId, envelope),
        swap: (orgId, installationId, expected, wrapped) =>
          this.hooks.rewrapHookSecrets(orgId, installationId, expected, wrapped),
      },
      options,
    );
  }
}
