import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, localKeyId, type SealedSecret, type Vault } from '@mooring/crypto';
import { DomainError } from '@mooring/platform';
import { FakeKms } from '../support/fakes/fake-kms.js';

const TEST_AWS_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret-access-key' };
const key = () => randomBytes(32).toString('base64');
const context = (orgId = randomUUID(), installationId = randomUUID()) => ({ orgId, installationId });

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

function flipByte(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

function tamperingCases(sealed: SealedSecret): Array<[string, SealedSecret]> {
  return [
    ['a flipped ciphertext byte', { ...sealed, ciphertext: flipByte(sealed.ciphertext, 14) }],
    ['a flipped authentication tag', { ...sealed, ciphertext: flipByte(sealed.ciphertext, sealed.ciphertext.length - 1) }],
    ['a flipped IV', { ...sealed, ciphertext: flipByte(sealed.ciphertext, 0) }],
    [
      'a flipped wrapped data key',
      { ...sealed, encryptedDataKey: flipByte(sealed.encryptedDataKey, sealed.encryptedDataKey.length - 3) },
    ],
  ];
}

async function expectVaultContract(vault: Vault) {
  const acme = context();
  const token = `ghp_${randomBytes(18).toString('hex')}`;
  const sealed = await vault.seal(JSON.stringify({ token }), acme);
  expect(sealed.formatVersion).toBe(1);
  expect(sealed.ciphertext.toString('latin1')).not.toContain(token);
  expect(JSON.parse(await vault.open(sealed, acme))).toEqual({ token });

  // Another org's (or installation's) context does not open it.
  for (const other of [context(undefined, acme.installationId), context(acme.orgId)]) {
    expect((await failure(vault.open(sealed, other))).code).toBe('CREDENTIALS_UNREADABLE');
  }
  for (const [, tampered] of tamperingCases(sealed)) {
    expect((await failure(vault.open(tampered, acme))).code).toBe('CREDENTIALS_UNREADABLE');
  }
  // Two seals of one value share nothing.
  const again = await vault.seal(JSON.stringify({ token }), acme);
  expect(again.ciphertext.equals(sealed.ciphertext)).toBe(false);
  expect(again.encryptedDataKey.equals(sealed.encryptedDataKey)).toBe(false);
}

describe('vault with the local key provider', () => {
  it('seals and opens only with the same org and installation, and detects tampering', async () => {
    await expectVaultContract(createVault({ keyProvider: 'local', localMasterKey: key() }));
  });

  it('refuses to start without a master key, naming the variable', () => {
    expect(() => createVault({ keyProvider: 'local' })).toThrow(/VAULT_LOCAL_MASTER_KEY/);
  });

  it('re-wraps under a new master key without touching the ciphertext', async () => {
    const [oldKey, newKey] = [key(), key()];
    const owner = context();
    const sealed = await createVault({ keyProvider: 'local', localMasterKey: oldKey }).seal('s3cret-value', owner);

    const rotating = createVault({ keyProvider: 'local', localMasterKey: newKey, previousLocalMasterKeys: [oldKey] });
    expect(rotating.needsRewrap(sealed)).toBe(true);
    const rewrapped = await rotating.rewrap(sealed, owner);
    expect(rewrapped.keyId).toBe(localKeyId(Buffer.from(newKey, 'base64')));
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(rotating.needsRewrap(rewrapped)).toBe(false);

    const afterRotation = createVault({ keyProvider: 'local', localMasterKey: newKey });
    expect(await afterRotation.open(rewrapped, owner)).toBe('s3cret-value');
    expect((await failure(afterRotation.open(sealed, owner))).code).toBe('CREDENTIALS_UNREADABLE');
  });
});

describe('vault with AWS KMS (real SDK against a KMS-compatible endpoint)', () => {
  let kms: FakeKms;
  let firstKeyArn: string;
  const kmsVault = (keyId: string, extra: { localMasterKey?: string } = {}) =>
    createVault(
      { keyProvider: 'aws-kms', kmsKeyId: keyId, kmsRegion: 'us-east-1', kmsEndpoint: kms.endpoint, ...extra },
      { credentials: TEST_AWS_CREDENTIALS },
    );

  beforeAll(async () => {
    kms = await FakeKms.start();
    firstKeyArn = kms.createKey('mooring-credentials');
  });

  afterAll(async () => {
    await kms.close();
  });

  it('seals and opens only with the same org and installation, and detects tampering', async () => {
    await expectVaultContract(kmsVault('alias/mooring-credentials'));
  });

  it('asks KMS for a data key per secret, bound to the encryption context, and stores the key ARN', async () => {
    const vault = kmsVault('alias/mooring-credentials');
    const owner = context();
    const before = kms.calls.length;
    const sealed = await vault.seal('value', owner);
    expect(kms.calls.slice(before)).toEqual([
      { operation: 'GenerateDataKey', keyId: 'alias/mooring-credentials', context: owner },
    ]);
    expect(sealed.keyId).toBe(firstKeyArn);

    const other = context();
    const error = await failure(vault.open(sealed, other));
    expect(error).toMatchObject({
      code: 'CREDENTIALS_UNREADABLE',
      message: expect.stringContaining('InvalidCiphertextException'),
    });
    expect(kms.calls.at(-1)).toMatchObject({ operation: 'Decrypt', context: other });
  });

  it('unwraps a data key once for many concurrent opens (one KMS call per credential per run)', async () => {
    const vault = kmsVault('alias/mooring-credentials');
    const owner = context();
    const sealed = await vault.seal('value', owner);
    const decrypts = kms.count('Decrypt');
    const opened = await Promise.all(Array.from({ length: 25 }, () => vault.open(sealed, owner)));
    expect(new Set(opened)).toEqual(new Set(['value']));
    expect(kms.count('Decrypt') - decrypts).toBe(1);
  });

  it('re-wraps under a new KMS key, after which the old key can be disabled', async () => {
    const owner = context();
    const sealed = await kmsVault('alias/mooring-credentials').seal('rotate-me', owner);
    const secondKeyArn = kms.createKey('mooring-credentials-2026');
    const rotating = kmsVault('alias/mooring-credentials-2026');
    const rewrapped = await rotating.rewrap(sealed, owner);
    expect(rewrapped.keyId).toBe(secondKeyArn);
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    kms.disableKey('mooring-credentials');
    expect(await kmsVault('alias/mooring-credentials-2026').open(rewrapped, owner)).toBe('rotate-me');
    const disabled = await failure(kmsVault('alias/mooring-credentials-2026').open(sealed, owner));
    expect(disabled).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', details: { cause: 'DisabledException' } });
  });

  it('moves secrets sealed by the local provider to KMS', async () => {
    const localKey = key();
    const owner = context();
    const sealed = await createVault({ keyProvider: 'local', localMasterKey: localKey }).seal('from-local', owner);
    kms.createKey('migration');
    const migrating = kmsVault('alias/migration', { localMasterKey: localKey });
    expect(await migrating.open(sealed, owner)).toBe('from-local');
    const moved = await migrating.rewrap(sealed, owner);
    expect(moved.keyId).toMatch(/^arn:aws:kms:/);
    expect(await kmsVault('alias/migration').open(moved, owner)).toBe('from-local');
  });

  it('reports KMS being unreachable as a dependency outage, not as unreadable credentials', async () => {
    const vault = createVault(
      { keyProvider: 'aws-kms', kmsKeyId: 'alias/x', kmsRegion: 'us-east-1', kmsEndpoint: 'http://127.0.0.1:9' },
      { credentials: TEST_AWS_CREDENTIALS },
    );
    expect((await failure(vault.seal('x', context()))).code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});
