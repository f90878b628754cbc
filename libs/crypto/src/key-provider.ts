/** Who and what a secret belongs to, e.g. `{ orgId, installationId }`; bound to every envelope. */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface DataKey {
  /** 32 bytes for AES-256-GCM; wiped once the secret is sealed. */
  readonly plaintext: Buffer;
  /** The data key wrapped by the key provider; stored next to the ciphertext. */
  readonly encrypted: Buffer;
  /** The wrapping key, as the provider names it (a KMS key ARN, or `local:<fingerprint>`). */
  readonly keyId: string;
}

/**
 * Where data keys come from and how they are wrapped: AWS KMS, or a local master key with the same
 * envelope format. Both bind the encryption context to the wrapped key, so a wrapped key copied to
 * another tenant's row does not unwrap.
 */
export interface KeyProvider {
  readonly name: string;
  /** The key new data keys are wrapped under. */
  readonly currentKeyId: string;
  /** Whether this provider can unwrap keys wrapped under `keyId`. */
  owns(keyId: string): boolean;
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  decryptDataKey(encrypted: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer>;
  /** Wraps an existing data key under the current key (rotation). */
  encryptDataKey(plaintext: Buffer, context: EncryptionContext): Promise<{ encrypted: Buffer; keyId: string }>;
}

/** The context as one canonical string (sorted keys), for AAD. */
export function canonicalContext(context: EncryptionContext): string {
  return JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
