import { Module, type DynamicModule } from '@nestjs/common';
import { Vault } from './vault.js';

/** Provides the process's one Vault (built by `createVault` from configuration). */
@Module({})
export class CryptoModule {
  static forRoot(vault: Vault): DynamicModule {
    return { module: CryptoModule, global: true, providers: [{ provide: Vault, useValue: vault }], exports: [Vault] };
  }
}
