import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '@mooring/platform';
import { canonicalContext, type EncryptionContext, type KeyProvider } from './key-provider.js';

/** Bumped when the envelope layout changes; stored with every sealed secret. */
export const ENVELOPE_FORMAT_VERSION = 1;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What is stored for one secret; none of it is readable without the key provider. */
export interface SealedSecret {
  readonly formatVersion: number;
  readonly keyId: string;
  readonly encryptedDataKey: Buffer;
  /** IV (12 bytes) + AES-256-GCM ciphertext + tag (16 bytes). */
  readonly ciphertext: Buffer;
}

export interface VaultCacheOptions {
  /** How long an unwrapped data key is reused, so a sync run costs at most one KMS call per credential. */
  readonly dataKeyTtlMs: number;
  readonly maxDataKeys: number;
}

/**
 * Envelope encryption: every seal asks the key provider for a fresh data key, encrypts with
 * AES-256-GCM with the encryption context as additional authenticated data, and stores the data
 * key only in wrapped form. Opening with another context (another org's, another installation's)
 * or a modified ciphertext fails.
 */
export class Vault {
  private readonly dataKeys = new Map<string, { key: Promise<Buffer>; expiresAt: number }>();

  constructor(
    /** The first provider wraps new keys; the others only unwrap (a rotation in progress). */
    private readonly providers: readonly [KeyProvider, ...KeyProvider[]],
    private readonly cache: VaultCacheOptions = { dataKeyTtlMs: 5 * 60_000, maxDataKeys: 1_000 },
  ) {}

  get currentKeyId(): string {
    return this.providers[0].currentKeyId;
  }

  async seal(plaintext: string, context: EncryptionContext): Promise<SealedSecret> {
    const dataKey = await this.providers[0].generateDataKey(context);
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
      cipher.setAAD(aad(ENVELOPE_FORMAT_VERSION, context));
      const ciphertext = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { formatVersion: ENVELOPE_FORMAT_VERSION, keyId: dataKey.keyId, encryptedDataKey: dataKey.encrypted, ciphertext };
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  async open(sealed: SealedSecret, context: EncryptionContext): Promise<string> {
    if (sealed.formatVersion !== ENVELOPE_FORMAT_VERSION) {
      throw new DomainError('CREDENTIALS_UNREADABLE', `Unknown envelope format ${sealed.formatVersion}`, {
        reason: 'unsupported_format',
      });
    }
    const key = await this.unwrap(sealed, context);
    try {
      const { ciphertext } = sealed;
      const decipher = createDecipheriv('aes-256-gcm', key, ciphertext.subarray(0, IV_BYTES));
      decipher.setAAD(aad(sealed.formatVersion, context));
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new DomainError(
        'CREDENTIALS_UNREADABLE',
        'The secret does not decrypt: it was modified or belongs elsewhere',
        { reason: 'integrity' },
        {
          cause: error,
        },
      );
    }
  }

  /** Whether a sealed secret's data key is wrapped under an older key. */
  needsRewrap(sealed: SealedSecret): boolean {
    return sealed.keyId !== this.currentKeyId;
  }

  /**
   * The same secret with its data key wrapped under the current key. The ciphertext is unchanged,
   * so readers holding either version of the row decrypt the same value while a rotation runs.
   */
  async rewrap(sealed: SealedSecret, context: EncryptionContext): Promise<SealedSecret> {
    const dataKey = await this.provider(sealed.keyId).decryptDataKey(sealed.encryptedDataKey, sealed.keyId, context);
    try {
      const wrapped = await this.providers[0].encryptDataKey(dataKey, context);
      return { ...sealed, keyId: wrapped.keyId, encryptedDataKey: wrapped.encrypted };
    } finally {
      dataKey.fill(0);
    }
  }

  private unwrap(sealed: SealedSecret, context: EncryptionContext): Promise<Buffer> {
    const cacheKey = createHash('sha256')
      .update(sealed.keyId)
      .update('\0')
      .update(sealed.encryptedDataKey)
      .update('\0')
      .update(canonicalContext(context))
      .digest('base64url');
    const now = Date.now();
    const cached = this.dataKeys.get(cacheKey);
    if (cached && cached.expiresAt > now) return cached.key;
    const key = this.provider(sealed.keyId).decryptDataKey(sealed.encryptedDataKey, sealed.keyId, context);
    // Concurrent opens of one secret share one unwrap; failures are not remembered.
    key.catch(() => this.dataKeys.delete(cacheKey));
    if (this.dataKeys.size >= this.cache.maxDataKeys) this.evictExpired(now);
    this.dataKeys.set(cacheKey, { key, expiresAt: now + this.cache.dataKeyTtlMs });
    return key;
  }

  private evictExpired(now: number): void {
    for (const [cacheKey, entry] of this.dataKeys) if (entry.expiresAt <= now) this.dataKeys.delete(cacheKey);
    // Still full: forget the oldest entries (Map iterates in insertion order).
    for (const cacheKey of this.dataKeys.keys()) {
      if (this.dataKeys.size < this.cache.maxDataKeys) break;
      this.dataKeys.delete(cacheKey);
    }
  }

  private provider(keyId: string): KeyProvider {
    const provider = this.providers.find((candidate) => candidate.owns(keyId));
    if (!provider) {
      throw new DomainError('CREDENTIALS_UNREADABLE', `No configured key provider can unwrap keys of ${keyId}`, {
        keyId,
        reason: 'key_unavailable',
      });
    }
    return provider;
  }
}

function aad(formatVersion: number, context: EncryptionContext): Buffer {
  return Buffer.from(`mooring-secret:v${formatVersion}:${canonicalContext(context)}`);
}
