import type { TenantTx } from '../database.js';
import type { NewCredential, StateChange } from '../records.js';

// Writes shared by the installation and credential repositories, always inside a tenant transaction.

export async function setState(tx: TenantTx, orgId: string, id: string, change: StateChange): Promise<void> {
  await tx.installation.updateMany({
    where: { orgId, id, NOT: { state: change.state, stateReason: change.reason } },
    data: stateData(change),
  });
}

export function stateData(change: StateChange) {
  return { state: change.state, stateReason: change.reason, stateChangedAt: new Date() };
}

export function credentialData(credential: NewCredential) {
  return {
    kind: credential.kind,
    formatVersion: credential.envelope.formatVersion,
    keyId: credential.envelope.keyId,
    encryptedDataKey: bytes(credential.envelope.encryptedDataKey),
    ciphertext: bytes(credential.envelope.ciphertext),
    hints: credential.hints,
    expiresAt: credential.expiresAt,
  };
}

/** Prisma's Bytes want a Uint8Array over a plain ArrayBuffer. */
export function bytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer);
}
