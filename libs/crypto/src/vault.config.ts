import { z } from 'zod';
import { DomainError, envVar, registerSecret } from '@mooring/platform';
import { AwsKmsKeyProvider, type AwsKmsOptions } from './aws-kms-key-provider.js';
import type { KeyProvider } from './key-provider.js';
import { LocalKeyProvider } from './local-key-provider.js';
import { Vault } from './vault.js';

const masterKey = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be the base64 of exactly 32 random bytes');

/** Configuration of the credential vault (api and worker). README lists every variable. */
export const vaultGroup = {
  keyProvider: envVar('VAULT_KEY_PROVIDER', z.enum(['local', 'aws-kms']).default('local'), {
    description: 'Who wraps data keys: a local master key, or AWS KMS',
  }),
  localMasterKey: envVar('VAULT_LOCAL_MASTER_KEY', masterKey.optional(), {
    description: 'Local master key (base64 of 32 random bytes); required when VAULT_KEY_PROVIDER is local',
    sensitive: true,
  }),
  previousLocalMasterKeys: envVar(
    'VAULT_LOCAL_PREVIOUS_MASTER_KEYS',
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((key) => key.trim())
          .filter(Boolean),
      )
      .pipe(z.array(masterKey))
      .optional(),
    { description: 'Older local master keys, comma-separated, still accepted for reading during a rotation', sensitive: true },
  ),
  kmsKeyId: envVar('VAULT_KMS_KEY_ID', z.string().min(1).optional(), {
    description: 'KMS key id, ARN or alias that wraps new data keys; required when VAULT_KEY_PROVIDER is aws-kms',
  }),
  kmsRegion: envVar('VAULT_KMS_REGION', z.string().min(1).optional(), { description: 'AWS region of the KMS key' }),
  kmsEndpoint: envVar('VAULT_KMS_ENDPOINT', z.url().optional(), {
    description: 'KMS endpoint override (VPC endpoint); AWS regional endpoint otherwise',
  }),
};

export interface VaultConfig {
  readonly keyProvider: 'local' | 'aws-kms';
  readonly localMasterKey?: string | undefined;
  readonly previousLocalMasterKeys?: readonly string[] | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly kmsRegion?: string | undefined;
  readonly kmsEndpoint?: string | undefined;
}

/**
 * Builds the vault the configuration describes. The chosen provider wraps new keys; local keys
 * that are configured alongside KMS stay readable, so a deployment can move from the local
 * provider to KMS with `vault:rewrap`.
 */
export function createVault(config: VaultConfig, kmsOverrides: Partial<AwsKmsOptions> = {}): Vault {
  for (const key of config.previousLocalMasterKeys ?? []) registerSecret(key);
  const local =
    config.localMasterKey || config.previousLocalMasterKeys?.length
      ? new LocalKeyProvider(
          Buffer.from(config.localMasterKey ?? config.previousLocalMasterKeys![0]!, 'base64'),
          (config.previousLocalMasterKeys ?? []).map((key) => Buffer.from(key, 'base64')),
        )
      : undefined;
  if (config.keyProvider === 'local') {
    if (!config.localMasterKey) {
      throw new DomainError('CONFIG_INVALID', 'VAULT_LOCAL_MASTER_KEY: is required when VAULT_KEY_PROVIDER is local', {
        variables: ['VAULT_LOCAL_MASTER_KEY'],
      });
    }
    return new Vault([local!]);
  }
  const missing = [!config.kmsKeyId && 'VAULT_KMS_KEY_ID', !config.kmsRegion && 'VAULT_KMS_REGION'].filter(
    (name): name is string => !!name,
  );
  if (missing.length) {
    throw new DomainError('CONFIG_INVALID', `${missing.join(', ')}: required when VAULT_KEY_PROVIDER is aws-kms`, {
      variables: missing,
    });
  }
  const kms = new AwsKmsKeyProvider({
    keyId: config.kmsKeyId!,
    region: config.kmsRegion!,
    ...(config.kmsEndpoint ? { endpoint: config.kmsEndpoint } : {}),
    ...kmsOverrides,
  });
  const readers: KeyProvider[] = local ? [local] : [];
  return new Vault([kms, ...readers]);
}
