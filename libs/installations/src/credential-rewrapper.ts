import { Injectable } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import { CredentialRepository } from '@mooring/persistence';
import { credentialContext } from './credential-store.js';
import { errorMessage } from './installation-workflow.js';

export interface RewrapReport {
  /** Data keys now wrapped under the current key. */
  readonly rewrapped: number;
  /** Credentials rewritten by someone else meanwhile (under the current key already). */
  readonly skipped: number;
  readonly failed: ReadonlyArray<{ readonly orgId: string; readonly installationId: string; readonly error: string }>;
}

/**
 * Key rotation: wraps every credential's data key under the vault's current key. The ciphertext
 * does not change and each row is updated with compare-and-swap on its version, so it runs while
 * the service runs: readers see either wrapping of the same secret, and a token refresh that wrote
 * meanwhile (already under the current key) simply wins.
 */
@Injectable()
export class CredentialRewrapper {
  constructor(
    private readonly vault: Vault,
    private readonly credentials: CredentialRepository,
  ) {}

  async rewrapAll(options: { batchSize?: number; onProgress?: (report: RewrapReport) => void } = {}): Promise<RewrapReport> {
    const batchSize = options.batchSize ?? 100;
    let rewrapped = 0;
    let skipped = 0;
    const failed = new Map<string, { orgId: string; installationId: string; error: string }>();
    for (;;) {
      // Failed rows stay listed; asking for that many more keeps the loop moving past them.
      const listed = await this.credentials.listWrappedUnderOtherKeys(this.vault.currentKeyId, batchSize + failed.size);
      const batch = listed.filter((item) => !failed.has(`${item.orgId}/${item.installationId}`));
      if (!batch.length) break;
      for (const { orgId, installationId } of batch) {
        try {
          const stored = await this.credentials.find(orgId, installationId);
          if (!stored || !this.vault.needsRewrap(stored.envelope)) {
            skipped++;
            continue;
          }
          const wrapped = await this.vault.rewrap(stored.envelope, credentialContext(orgId, installationId));
          const swapped = await this.credentials.rewrap(orgId, installationId, stored.version, wrapped);
          if (swapped) rewrapped++;
          else skipped++;
        } catch (error) {
          failed.set(`${orgId}/${installationId}`, { orgId, installationId, error: errorMessage(error) });
        }
      }
      options.onProgress?.({ rewrapped, skipped, failed: [...failed.values()] });
    }
    return { rewrapped, skipped, failed: [...failed.values()] };
  }
}
