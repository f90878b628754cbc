import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CryptoModule, createVault, vaultGroup } from '@mooring/crypto';
import { CredentialRewrapper, type RewrapOptions } from '@mooring/installations';
import { HookSecretRewrapper, HookSecrets } from '@mooring/live-events';
import { PersistenceModule } from '@mooring/persistence';
import { databaseGroup, loadConfig } from '@mooring/platform';

// `npm run vault:rewrap [-- --batch-size 100]`: key rotation. Wraps every credential's and every
// webhook's sealed secrets' data key under the current key (VAULT_KMS_KEY_ID, or VAULT_LOCAL_MASTER_KEY) while the previous one is
// still configured for reading. Safe while the api and workers run; see docs/operations.md.

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '100' } } });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('--batch-size must be 1 to 10000');
  const config = loadConfig({ database: databaseGroup, vault: vaultGroup });
  const vault = createVault(config.vault);

  @Module({
    imports: [PersistenceModule.forRoot({ url: config.database.url, poolSize: 2 }), CryptoModule.forRoot(vault)],
    providers: [CredentialRewrapper, HookSecrets, HookSecretRewrapper],
  })
  class RewrapModule {}

  const app = await NestFactory.createApplicationContext(RewrapModule, { logger: false });
  try {
    process.stderr.write(`re-wrapping data keys under ${vault.currentKeyId}\n`);
    const progress =
      (what: string): RewrapOptions['onProgress'] =>
      (report) =>
        process.stderr.write(`  ${what}: ${report.rewrapped} re-wrapped, ${report.failed.length} failed\n`);
    const credentials = await app.get(CredentialRewrapper).rewrapAll({ batchSize, onProgress: progress('credentials') });
    const hookSecrets = await app.get(HookSecretRewrapper).rewrapAll({ batchSize, onProgress: progress('hook secrets') });
    // Credentials' counts at the top level, as before; hooks' beside them. Ids and counts only, never a secret.
    process.stdout.write(`${JSON.stringify({ keyId: vault.currentKeyId, ...credentials, hookSecrets })}\n`);
    if (credentials.failed.length || hookSecrets.failed.length) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`vault:rewrap: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
