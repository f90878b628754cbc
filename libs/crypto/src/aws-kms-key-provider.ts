import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { DomainError } from '@mooring/platform';
import { type DataKey, type EncryptionContext, type KeyProvider } from './key-provider.js';

export interface AwsKmsOptions {
  /** Key id, ARN or alias of the symmetric KMS key new data keys are wrapped under. */
  readonly keyId: string;
  readonly region: string;
  /** A KMS-compatible endpoint (VPC endpoint, or a test server); AWS's regional endpoint otherwise. */
  readonly endpoint?: string;
  /** Explicit credentials; otherwise the SDK's default chain (environment, web identity, instance role). */
  readonly credentials?: KMSClientConfig['credentials'];
}

// KMS's answers that mean "this blob will never decrypt with this key and context" (modified, or
// presented for another tenant), as opposed to outages, throttling and disabled keys.
const UNREADABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * Data keys from AWS KMS `GenerateDataKey` (AES_256), unwrapped with `Decrypt`, both with the
 * encryption context so KMS itself refuses a wrapped key presented for another tenant, and logs
 * the context in CloudTrail.
 */
export class AwsKmsKeyProvider implements KeyProvider {
  readonly name = 'aws-kms';
  readonly currentKeyId: string;
  private readonly client: KMSClient;

  constructor(options: AwsKmsOptions) {
    this.currentKeyId = options.keyId;
    this.client = new KMSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 3,
    });
  }

  owns(keyId: string): boolean {
    return !keyId.startsWith('local:');
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const output = await this.call(() =>
      this.client.send(
        new GenerateDataKeyCommand({ KeyId: this.currentKeyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
      ),
    );
    if (!output.Plaintext || !output.CiphertextBlob || !output.KeyId) {
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'KMS GenerateDataKey returned an incomplete answer');
    }
    return { plaintext: Buffer.from(output.Plaintext), encrypted: Buffer.from(output.CiphertextBlob), keyId: output.KeyId };
  }

  async decryptDataKey(encrypted: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    const output = await this.call(
      () => this.client.send(new DecryptCommand({ CiphertextBlob: encrypted, KeyId: keyId, EncryptionContext: { ...context } })),
      keyId,
    );
    if (!output.Plaintext) throw new DomainError('DEPENDENCY_UNAVAILABLE', 'KMS Decrypt returned no plaintext');
    return Buffer.from(output.Plaintext);
  }

  async encryptDataKey(plaintext: Buffer, context: EncryptionContext): Promise<{ encrypted: Buffer; keyId: string }> {
    const output = await this.call(() =>
      this.client.send(new EncryptCommand({ KeyId: this.currentKeyId, Plaintext: plaintext, EncryptionContext: { ...context } })),
    );
    if (!output.CiphertextBlob || !output.KeyId)
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'KMS Encrypt returned no ciphertext');
    return { encrypted: Buffer.from(output.CiphertextBlob), keyId: output.KeyId };
  }

  destroy(): void {
    this.client.destroy();
  }

  private async call<T>(send: () => Promise<T>, keyId = this.currentKeyId): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof KMSServiceException && UNREADABLE.has(error.name)) {
        throw new DomainError(
          'CREDENTIALS_UNREADABLE',
          `KMS refused to decrypt the data key (${error.name})`,
          { keyId, reason: 'integrity' },
          { cause: error },
        );
      }
      const name = error instanceof Error ? error.name : 'Error';
      throw new DomainError('DEPENDENCY_UNAVAILABLE', `KMS call failed (${name})`, { keyId, cause: name }, { cause: error });
    }
  }
}
