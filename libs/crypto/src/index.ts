export { AwsKmsKeyProvider, type AwsKmsOptions } from './aws-kms-key-provider.js';
export { CryptoModule } from './crypto.module.js';
export { canonicalContext, type DataKey, type EncryptionContext, type KeyProvider } from './key-provider.js';
export { LocalKeyProvider, localKeyId } from './local-key-provider.js';
export { ENVELOPE_FORMAT_VERSION, Vault, type SealedSecret, type VaultCacheOptions } from './vault.js';
export { createVault, vaultGroup, type VaultConfig } from './vault.config.js';
