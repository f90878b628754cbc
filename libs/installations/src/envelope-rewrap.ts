import type { SealedSecret, Vault } from '@mooring/crypto';
import { errorMessage } from './installation-workflow.js';

export interface RewrapReport {
  /** Data keys now wrapped under the current key. */
  readonly rewrapped: number;
  /** Rows rewritten by someone else meanwhile (under the current key already). */
  readonly skipped: number;
  readonly failed: ReadonlyArray<{ readonly orgId: string; readonly installationId: string; readonly error: string }>;
}

export interface RewrapOptions {
  readonly batchSize?: number;
  readonly onProgress?: (report: RewrapReport) => void;
}

/**
 * One kind of sealed row, one per installation, for `rewrapEnvelopes`. `Stamp` is what the
 * compare-and-swap compares: the row as read (a version, the wrapped key).
 */
export interface RewrapTarget<Stamp> {
  /** Installations whose row is wrapped under another key than `currentKeyId`, `limit` at most. */
  list(currentKeyId: string, limit: number): Promise<ReadonlyArray<{ orgId: string; installationId: string }>>;
  find(orgId: string, installationId: string): Promise<{ envelope: SealedSecret; stamp: Stamp } | null>;
  /** The envelope re-wrapped under the current key, with the row's encryption context. */
  rewrap(orgId: string, installationId: string, envelope: SealedSecret): Promise<SealedSecret>;
  /** Stores `wrapped` unless the row changed since `stamp`; false when it did. */
  swap(orgId: string, installationId: string, stamp: Stamp, wrapped: SealedSecret): Promise<boolean>;
}

/**
 * Key rotation of one kind of row: wraps every data key under the vault's current key, batch by
 * batch. The ciphertext does not change and each row is swapped only if unchanged since read, so
 * it runs while the service runs: a writer that stored a new secret meanwhile (already under the
 * current key) simply wins.
 */
export async function rewrapEnvelopes<Stamp>(
  vault: Vault,
  target: RewrapTarget<Stamp>,
  options: RewrapOptions = {},
): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 100;
  let rewrapped = 0;
  let skipped = 0;
  const failed = new Map<string, { orgId: string; installationId: string; error: string }>();
  for (;;) {
    // Failed rows stay listed; asking for that many more keeps the loop moving past them.
    const listed = await target.list(vault.currentKeyId, batchSize + failed.size);
    const batch = listed.filter((item) => !failed.has(`${item.orgId}/${item.installationId}`));
    if (!batch.length) break;
    for (const { orgId, installationId } of batch) {
      try {
        const stored = await target.find(orgId, installationId);
        if (!stored || !vault.needsRewrap(stored.envelope)) {
          skipped++;
          continue;
        }
        const wrapped = await target.rewrap(orgId, installationId, stored.envelope);
        if (await target.swap(orgId, installationId, stored.stamp, wrapped)) rewrapped++;
        else skipped++;
      } catch (error) {
        failed.set(`${orgId}/${installationId}`, { orgId, installationId, error: errorMessage(error) });
      }
    }
    options.onProgress?.({ rewrapped, skipped, failed: [...failed.values()] });
  }
  return { rewrapped, skipped, failed: [...failed.values()] };
}
