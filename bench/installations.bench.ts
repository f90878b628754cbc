import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Agent, fetch as undiciFetch } from 'undici';
import { createVault, type Vault } from '@mooring/crypto';
import { CredentialStore, InstallationsModule, IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { OutboundHttp } from '@mooring/outbound';
import { InstallationRepository, OrganizationRepository, PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import { FakeKms } from '../test/support/fakes/fake-kms.js';
import { OAuthProvider } from '../test/support/fakes/oauth-provider.js';
import { oauthTestIntegration } from '../test/support/test-integrations.js';
import { benchDatabase, benchRedis } from './bench-database.js';

// npm run bench -- installations [--callers 50] [--workers 10] [--rounds 5] [--secrets 2000] [--requests 2000]
// Prints one JSON line per scenario:
// - refresh: one installation's expired OAuth token asked for by `callers` concurrent callers spread
//   over `workers` independent worker contexts (own pools), against a rotating authorization server;
// - vault-local / vault-kms: sealing and opening credentials (KMS through the real SDK and a
//   KMS-compatible endpoint on loopback), cold and with the data-key cache;
// - ssrf-guard: loopback GETs through the guarded fetch versus plain undici, reused and new connections.
// PostgreSQL is started in a temporary directory (fsync on) unless DATABASE_URL (app role, migrated) is set.

const { values } = parseArgs({
  options: {
    callers: { type: 'string', default: '50' },
    workers: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    secrets: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '2000' },
  },
});
const [callers, workerCount, rounds, secretCount, requestCount] = [
  values.callers,
  values.workers,
  values.rounds,
  values.secrets,
  values.requests,
].map(Number) as [number, number, number, number, number];

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (value: number) => Number(value.toFixed(1));

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

async function benchVault(name: string, vault: Vault, count: number, kms?: FakeKms): Promise<void> {
  const contexts = Array.from({ length: count }, () => ({ orgId: randomUUID(), installationId: randomUUID() }));
  const secret = JSON.stringify({ kind: 'settings', secrets: { token: `ghp_${randomBytes(18).toString('hex')}` } });
  const decrypts = () => kms?.count('Decrypt') ?? 0;
  const seal = await timed(() => Promise.all(contexts.map((context) => vault.seal(secret, context))));
  const beforeCold = decrypts();
  const coldOpen = await timed(() => Promise.all(seal.result.map((sealed, index) => vault.open(sealed, contexts[index]!))));
  const beforeWarm = decrypts();
  const warmOpen = await timed(() => Promise.all(seal.result.map((sealed, index) => vault.open(sealed, contexts[index]!))));
  print({
    scenario: name,
    secrets: count,
    sealPerSec: Math.round(count / (seal.ms / 1000)),
    coldOpenPerSec: Math.round(count / (coldOpen.ms / 1000)),
    cachedOpenPerSec: Math.round(count / (warmOpen.ms / 1000)),
    ...(kms ? { kmsDecryptsCold: beforeWarm - beforeCold, kmsDecryptsCached: decrypts() - beforeWarm } : {}),
  });
}

async function benchGuard(count: number): Promise<void> {
  const server = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const guard = new OutboundHttp({ allowLoopback: true, resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
  const guarded = guard.fetchFor({ allowHttp: true });
  const plain = new Agent();
  const run = async (get: (url: string, fresh: boolean) => Promise<Response>, fresh: boolean) => {
    const latencies: number[] = [];
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await (await get(`http://tool.bench.test:${port}/ping`, fresh)).text();
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    return {
      perSec: Math.round(count / (latencies.reduce((a, b) => a + b, 0) / 1000)),
      p50Ms: ms(percentile(latencies, 50)),
      p99Ms: ms(percentile(latencies, 99)),
    };
  };
  const plainGet = (url: string, fresh: boolean) =>
    undiciFetch(url.replace('tool.bench.test', '127.0.0.1'), {
      dispatcher: plain,
      headers: fresh ? { connection: 'close' } : {},
    }) as unknown as Promise<Response>;
  const guardedGet = (url: string, fresh: boolean) => guarded(url, { headers: fresh ? { connection: 'close' } : {} });
  await run(plainGet, false);
  await run(guardedGet, false);
  print({
    scenario: 'ssrf-guard',
    requests: count,
    keepAlive: { plain: await run(plainGet, false), guarded: await run(guardedGet, false) },
    newConnectionEach: { plain: await run(plainGet, true), guarded: await run(guardedGet, true) },
  });
  await plain.close();
  await guard.onModuleDestroy();
  server.closeAllConnections();
  server.close();
}

async function benchRefresh(databaseUrl: string, redis: { url: string }): Promise<void> {
  const provider = await OAuthProvider.start();
  const masterKey = randomBytes(32).toString('base64');
  const contexts: INestApplicationContext[] = [];
  try {
    for (let index = 0; index < workerCount; index++) {
      @Module({
        imports: [
          PersistenceModule.forRoot({ url: databaseUrl, poolSize: 3 }),
          QueueModule.forRoot({ redisUrl: redis.url, keyPrefix: 'bench' }),
          InstallationsModule.forRoot({
            vault: createVault({ keyProvider: 'local', localMasterKey: masterKey }),
            outbound: { allowLoopback: true },
            installations: { oauthClients: { 'oauth-test': provider.client } },
            integrations: new IntegrationRegistry([oauthTestIntegration(provider.issuer)]),
          }),
        ],
      })
      class BenchWorker {}
      contexts.push(await NestFactory.createApplicationContext(BenchWorker, { logger: false }));
    }
    const first = contexts[0]!;
    const organizations = first.get(OrganizationRepository);
    const { organization } = await organizations.createWithClient(`bench-${randomUUID()}`, {
      clientId: `mc_${randomUUID()}`,
      secretHash: 'a'.repeat(64),
      name: 'admin',
      role: 'admin',
    });
    await organizations.setAllowHttpHosts(organization.id, true);

    const wallMs: number[] = [];
    const latencies: number[] = [];
    let refreshCalls = 0;
    let invalidGrants = 0;
    for (let round = 0; round < rounds; round++) {
      const id = randomUUID();
      const sealed = await first.get(CredentialStore).seal(organization.id, id, {
        kind: 'oauth2',
        accessToken: 'expired',
        refreshToken: provider.issueRefreshToken(),
        scope: null,
        obtainedAt: new Date(Date.now() - 7_200_000).toISOString(),
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
        client: null,
      });
      await first
        .get(InstallationRepository)
        .createWithCredential(
          organization.id,
          { id, integrationId: 'oauth-test', name: id, authMethod: 'oauth2', mapping: {}, settings: {} },
          sealed,
        );
      const before = provider.count('refresh_token');
      const refusedBefore = provider.refused.length;
      const started = performance.now();
      const tokens = await Promise.all(
        Array.from({ length: callers }, async (_, index) => {
          const t0 = performance.now();
          const connection = await contexts[index % contexts.length]!.get(IntegrationConnections).forInstallation(
            organization.id,
            id,
          );
          const token = await connection.accessToken();
          latencies.push(performance.now() - t0);
          return token;
        }),
      );
      wallMs.push(performance.now() - started);
      refreshCalls += provider.count('refresh_token') - before;
      invalidGrants += provider.refused.length - refusedBefore;
      if (new Set(tokens).size !== 1) throw new Error('callers got different tokens');
    }
    latencies.sort((a, b) => a - b);
    wallMs.sort((a, b) => a - b);
    print({
      scenario: 'refresh',
      callers,
      workers: workerCount,
      rounds,
      tokenEndpointCallsPerRound: refreshCalls / rounds,
      invalidGrants,
      wallMsMedian: ms(percentile(wallMs, 50)),
      callerLatencyMs: { p50: ms(percentile(latencies, 50)), p99: ms(percentile(latencies, 99)), max: ms(latencies.at(-1)!) },
    });
  } finally {
    for (const context of contexts) await context.close();
    await provider.stop();
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
try {
  const database = await benchDatabase();
  cleanups.push(() => database.close());
  const { databaseUrl } = database;
  // The installations module keeps schedules in step through Redis (a refused refresh pauses one).
  const redis = await benchRedis();
  cleanups.push(() => redis.close());
  print({ cpus: os.cpus().length, node: process.version });
  await benchRefresh(databaseUrl, redis);
  await benchVault(
    'vault-local',
    createVault({ keyProvider: 'local', localMasterKey: randomBytes(32).toString('base64') }),
    secretCount,
  );
  const kms = await FakeKms.start();
  cleanups.push(() => kms.close());
  kms.createKey('bench');
  const kmsVault = createVault(
    { keyProvider: 'aws-kms', kmsKeyId: 'alias/bench', kmsRegion: 'us-east-1', kmsEndpoint: kms.endpoint },
    { credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' } },
  );
  await benchVault('vault-kms', kmsVault, Math.min(secretCount, 500), kms);
  await benchGuard(requestCount);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
