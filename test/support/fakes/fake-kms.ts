import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { LoopbackServer, sendJson, type RecordedRequest } from '@mooring/integrations/testing';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

interface FakeKey {
  readonly arn: string;
  readonly material: Buffer;
  enabled: boolean;
}

/**
 * A KMS-compatible endpoint for the real @aws-sdk/client-kms: AWS JSON 1.1 over POST /, the
 * operation in `X-Amz-Target: TrentService.<Operation>`, base64 blobs, SigV4-signed requests, and
 * errors as `{"__type":"InvalidCiphertextException","message":…}` with status 400. Ciphertext blobs
 * embed the key ARN and are bound to the encryption context, as KMS's are.
 */
export class FakeKms {
  readonly calls: Array<{ operation: string; keyId: string | undefined; context: Record<string, string> }> = [];
  private readonly keys = new Map<string, FakeKey>();

  private constructor(readonly server: LoopbackServer) {}

  static async start(): Promise<FakeKms> {
    const server = await LoopbackServer.start((request, response) => kms.handle(request, response));
    const kms = new FakeKms(server);
    return kms;
  }

  get endpoint(): string {
    return this.server.origin;
  }

  /** Creates a symmetric key reachable by its id, ARN and `alias/<alias>`; returns its ARN. */
  createKey(alias: string): string {
    const id = randomUUID();
    const key = { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`, material: randomBytes(32), enabled: true };
    for (const name of [id, key.arn, `alias/${alias}`, `arn:aws:kms:${REGION}:${ACCOUNT}:alias/${alias}`])
      this.keys.set(name, key);
    return key.arn;
  }

  disableKey(alias: string): void {
    this.keys.get(`alias/${alias}`)!.enabled = false;
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: RecordedRequest, response: http.ServerResponse): void {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return this.error(response, 'UnrecognizedClientException', 'Expected POST application/x-amz-json-1.1');
    }
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/kms\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/.test(
        String(request.headers.authorization ?? ''),
      )
    ) {
      return this.error(response, 'IncompleteSignatureException', 'The request signature is missing or malformed');
    }
    const input = JSON.parse(request.body) as Record<string, unknown>;
    const context = (input['EncryptionContext'] as Record<string, string> | undefined) ?? {};
    const operation = target.replace(/^TrentService\./, '');
    this.calls.push({ operation, keyId: input['KeyId'] as string | undefined, context });
    switch (operation) {
      case 'GenerateDataKey': {
        const key = this.usableKey(input['KeyId'], response);
        if (!key) return;
        const bytes = input['KeySpec'] === 'AES_128' ? 16 : ((input['NumberOfBytes'] as number | undefined) ?? 32);
        const plaintext = randomBytes(bytes);
        return sendJson(response, 200, {
          CiphertextBlob: this.seal(key, plaintext, context).toString('base64'),
          Plaintext: plaintext.toString('base64'),
          KeyId: key.arn,
        });
      }
      case 'Encrypt': {
        const key = this.usableKey(input['KeyId'], response);
        if (!key) return;
        const plaintext = Buffer.from(input['Plaintext'] as string, 'base64');
        return sendJson(response, 200, {
          CiphertextBlob: this.seal(key, plaintext, context).toString('base64'),
          KeyId: key.arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        });
      }
      case 'Decrypt':
        return this.decrypt(Buffer.from(input['CiphertextBlob'] as string, 'base64'), input['KeyId'], context, response);
      default:
        return this.error(response, 'UnknownOperationException', `Unknown operation ${target}`);
    }
  }

  private decrypt(blob: Buffer, requestedKeyId: unknown, context: Record<string, string>, response: http.ServerResponse): void {
    const arnLength = blob.readUInt16BE(0);
    const key = this.keys.get(blob.subarray(2, 2 + arnLength).toString());
    if (!key) return this.error(response, 'InvalidCiphertextException', 'The ciphertext refers to an unknown key');
    if (typeof requestedKeyId === 'string' && this.keys.get(requestedKeyId) !== key) {
      return this.error(response, 'IncorrectKeyException', 'The key ID in the request does not identify the key used to encrypt');
    }
    if (!key.enabled) return this.error(response, 'DisabledException', `${key.arn} is disabled`);
    const body = blob.subarray(2 + arnLength);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, body.subarray(0, 12));
      decipher.setAAD(aad(key.arn, context));
      decipher.setAuthTag(body.subarray(12, 28));
      const plaintext = Buffer.concat([decipher.update(body.subarray(28)), decipher.final()]);
      sendJson(response, 200, {
        Plaintext: plaintext.toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      });
    } catch {
      this.error(response, 'InvalidCiphertextException', null);
    }
  }

  private usableKey(keyId: unknown, response: http.ServerResponse): FakeKey | undefined {
    const key = typeof keyId === 'string' ? this.keys.get(keyId) : undefined;
    if (!key) this.error(response, 'NotFoundException', `Key '${String(keyId)}' does not exist`);
    else if (!key.enabled) this.error(response, 'DisabledException', `${key.arn} is disabled`);
    else return key;
    return undefined;
  }

  private seal(key: FakeKey, plaintext: Buffer, context: Record<string, string>): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(aad(key.arn, context));
    const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const arn = Buffer.from(key.arn);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(arn.length);
    return Buffer.concat([length, arn, iv, cipher.getAuthTag(), encrypted]);
  }

  private error(response: http.ServerResponse, type: string, message: string | null): void {
    sendJson(response, 400, { __type: type, message }, { 'x-amzn-requestid': randomUUID() });
  }
}

function aad(arn: string, context: Record<string, string>): Buffer {
  return Buffer.from(`${arn}|${JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)))}`);
}
