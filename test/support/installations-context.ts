import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createVault, type VaultConfig } from '@mooring/crypto';
import { InstallationsModule, type OAuthClientCredentials } from '@mooring/installations';
import { mappingExpressions } from '@mooring/sync';
import { INTEGRATIONS, IntegrationRegistry, type IntegrationDefinition } from '@mooring/integrations';
import { PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import type { TestDatabase } from './test-database.js';
import type { TestRedis } from './test-redis.js';

/**
 * A worker's installations as production wires them (InstallationsModule.forRoot over real
 * PostgreSQL and Redis), in a Nest application context of its own: own pool, own vault, own
 * in-process state. Several of them stand in for several worker processes.
 */
export async function installationsContext(options: {
  readonly db: TestDatabase;
  readonly redis: TestRedis;
  readonly vault: VaultConfig;
  /** The integrations on offer; production's by default. */
  readonly integrations?: readonly IntegrationDefinition[];
  readonly oauthClients?: Readonly<Record<string, OAuthClientCredentials>>;
  readonly allowLoopback?: boolean;
  readonly poolSize?: number;
}): Promise<INestApplicationContext> {
  @Module({
    imports: [
      PersistenceModule.forRoot({ url: options.db.appUrl, poolSize: options.poolSize ?? 3 }),
      QueueModule.forRoot({ redisUrl: options.redis.url, keyPrefix: options.redis.keyPrefix }),
      InstallationsModule.forRoot({
        vault: createVault(options.vault),
        outbound: { allowLoopback: options.allowLoopback ?? false },
        installations: { oauthClients: options.oauthClients ?? {} },
        integrations: new IntegrationRegistry(options.integrations ?? INTEGRATIONS),
        expressions: mappingExpressions(),
      }),
    ],
  })
  class WorkerInstallationsModule {}
  return NestFactory.createApplicationContext(WorkerInstallationsModule, { logger: false });
}
