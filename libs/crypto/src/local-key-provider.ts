import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '@mooring/platform';
import { canonicalContext, type DataKey, type EncryptionContext, type KeyProvider } from './key-provider.js';

const LOCAL_PREFIX = 'local:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `local:` + the first 16 hex digits of the key's SHA-256: names a master key without revealing it. */
export function localKeyId(masterKey: Buffer): string {
  return LOCAL_PREFIX + createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
}

/**
 * The embedded default: data keys wrapped with AES-256-GCM under a master key from configuration,
 * in the same envelope as KMS. Previous master keys stay readable so that a rotation can re-wrap
 * while the service runs.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly name = 'local';
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(currentMasterKey: Buffer, previousMasterKeys: readonly Buffer[] = []) {
    for (const key of [currentMasterKey, ...previousMasterKeys]) {
      if (key.length !== 32)
        throw new DomainError('CONFIG_INVALID', 'A local master key must be 32 bytes (base64 of 32 random bytes)');
      this.keys.set(localKeyId(key), key);
    }
    this.currentKeyId = localKeyId(currentMasterKey);
  }

  owns(keyId: string): boolean {
    return keyId.startsWith(LOCAL_PREFIX);
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const plaintext = randomBytes(32);
    const { encrypted, keyId } = await this.encryptDataKey(plaintext, context);
    return { plaintext, encrypted, keyId };
  }

  encryptDataKey(plaintext: Buffer, context: EncryptionContext): Promise<{ encrypted: Buffer; keyId: string }> {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(keyId)!, iv);
    cipher.setAAD(this.aad(keyId, context));
    const encrypted = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return Promise.resolve({ encrypted, keyId });
  }

  decryptDataKey(encrypted: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    const masterKey = this.keys.get(keyId);
    if (!masterKey) {
      return Promise.reject(
        new DomainError('CREDENTIALS_UNREADABLE', `The local master key ${keyId} is not configured`, {
          keyId,
          reason: 'key_unavailable',
        }),
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', masterKey, encrypted.subarray(0, IV_BYTES));
      decipher.setAAD(this.aad(keyId, context));
      decipher.setAuthTag(encrypted.subarray(encrypted.length - TAG_BYTES));
      return Promise.resolve(
        Buffer.concat([decipher.update(encrypted.subarray(IV_BYTES, encrypted.length - TAG_BYTES)), decipher.final()]),
      );
    } catch (error) {
      return Promise.reject(
        new DomainError(
          'CREDENTIALS_UNREADABLE',
          'The data key does not unwrap under this key and context',
          { keyId, reason: 'integrity' },
          {
            cause: error,
          },
        ),
      );
    }
  }

  private aad(keyId: string, context: EncryptionContext): Buffer {
    return Buffer.from(`mooring-data-key:${keyId}:${canonicalContext(context)}`);
  }
}
