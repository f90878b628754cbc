import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKeyId, type VaultConfig } from '@mooring/crypto';
import { CredentialRewrapper, CredentialStore, IntegrationConnections, credentialsReplaced } from '@mooring/installations';
import { InstallationRepository, OrganizationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { installationsContext } from '../support/installations-context.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const INSTALLATIONS = 60;

// Key rotation while the service runs: readers keep opening credentials and writers keep rotating
// them while every data key is re-wrapped under the new key.
describe('re-wrapping credentials under a new key while the service runs', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const contexts: INestApplicationContext[] = [];
  const latest = new Map<string, string>();
  let orgId: string;

  async function context(vault: VaultConfig): Promise<INestApplicationContext> {
    const app = await installationsContext({ db, redis, vault, poolSize: 4 });
    contexts.push(app);
    return app;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
  });

  afterAll(async () => {
    for (const app of contexts) await app.close();
    await db.drop();
    await redis.clear();
  });

  it('moves every data key to the new key with no failed read and no lost write', async () => {
    const before = await context({ keyProvider: 'local', localMasterKey: oldKey });
    const organizations = before.get(OrganizationRepository);
    ({
      organization: { id: orgId },
    } = await organizations.createWithClient('acme', {
      clientId: 'mc_acme',
      secretHash: 'a'.repeat(64),
      name: 'admin',
      role: 'admin',
    }));
    for (let index = 0; index < INSTALLATIONS; index++) {
      const id = randomUUID();
      const token = `ghp_${randomBytes(18).toString('hex')}`;
      const sealed = await before.get(CredentialStore).seal(orgId, id, { kind: 'settings', secrets: { token } });
      await before
        .get(InstallationRepository)
        .createWithCredential(
          orgId,
          { id, integrationId: 'github', name: `GitHub ${index}`, mapping: { resources: [] }, settings: {} },
          sealed,
        );
      latest.set(id, token);
    }

    // The rolling deploy before the rewrap: every process has the new key as current, the old one to read.
    const rotating = await context({ keyProvider: 'local', localMasterKey: newKey, previousLocalMasterKeys: [oldKey] });
    const ids = [...latest.keys()];
    let running = true;
    let reads = 0;
    let writes = 0;
    const readFailures: unknown[] = [];
    const readers = Array.from({ length: 4 }, async (_, reader) => {
      for (let index = reader; running; index = (index + 1) % ids.length) {
        const id = ids[index]!;
        try {
          const token = await (await rotating.get(IntegrationConnections).forInstallation(orgId, id)).accessToken();
          if (!token.startsWith('ghp_')) throw new Error(`unexpected token for ${id}`);
          reads++;
        } catch (error) {
          readFailures.push(error);
        }
      }
    });
    const writer = (async () => {
      for (let index = 0; running; index = (index + 7) % ids.length) {
        const id = ids[index]!;
        const token = `ghp_${randomBytes(18).toString('hex')}`;
        const sealed = await rotating.get(CredentialStore).seal(orgId, id, { kind: 'settings', secrets: { token } });
        await rotating.get(InstallationRepository).replaceCredential(orgId, id, sealed, {}, credentialsReplaced());
        latest.set(id, token);
        writes++;
      }
    })();

    const report = await rotating.get(CredentialRewrapper).rewrapAll({ batchSize: 7 });
    running = false;
    await Promise.all([...readers, writer]);

    expect(readFailures).toEqual([]);
    expect(reads).toBeGreaterThan(INSTALLATIONS);
    expect(writes).toBeGreaterThan(0);
    expect(report.failed).toEqual([]);
    expect(report.rewrapped + report.skipped).toBeGreaterThanOrEqual(INSTALLATIONS - writes);
    const keys = await adminQuery<{ key_id: string; n: number }>(
      db,
      'SELECT key_id, count(*)::int AS n FROM installation_credentials GROUP BY key_id',
    );
    expect(keys).toEqual([{ key_id: localKeyId(Buffer.from(newKey, 'base64')), n: INSTALLATIONS }]);

    // The old key can go: every credential opens with the new key alone, holding its latest value.
    const after = await context({ keyProvider: 'local', localMasterKey: newKey });
    for (const [id, token] of latest) {
      expect(await (await after.get(IntegrationConnections).forInstallation(orgId, id)).accessToken()).toBe(token);
    }
    expect(await after.get(CredentialRewrapper).rewrapAll()).toEqual({ rewrapped: 0, skipped: 0, failed: [] });
  });
});
