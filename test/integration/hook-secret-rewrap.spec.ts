import 'reflect-metadata';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVault, localKeyId, type VaultConfig } from '@mooring/crypto';
import { CredentialStore } from '@mooring/installations';
import { INTEGRATIONS } from '@mooring/integrations';
import { HookSecretRewrapper, HookSecrets, verificationSecrets } from '@mooring/live-events';
import { InstallationRepository, LiveEventRepository, OrganizationRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { installationsContext } from '../support/installations-context.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';

const HOOKS = 30;

/** A process's view of hooks: its own pool and its own vault (one key configuration). */
interface HookProcess {
  readonly hooks: LiveEventRepository;
  readonly secrets: HookSecrets;
  readonly rewrapper: HookSecretRewrapper;
}

// Key rotation reaches webhooks too: their sealed signing secrets move to the new key while the
// edge keeps opening them and installations keep rotating them.
describe('re-wrapping hook secrets under a new key while the service runs', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const contexts: INestApplicationContext[] = [];
  /** Installation id to its hook id and its latest current secret. */
  const latest = new Map<string, { hookId: string; secret: string }>();
  let orgId: string;

  async function processWith(vaultConfig: VaultConfig): Promise<HookProcess & { app: INestApplicationContext }> {
    const app = await installationsContext({ db, redis, vault: vaultConfig, poolSize: 4 });
    contexts.push(app);
    const vault = createVault(vaultConfig);
    const hooks = app.get(LiveEventRepository);
    const secrets = new HookSecrets(vault);
    return { app, hooks, secrets, rewrapper: new HookSecretRewrapper(vault, hooks, secrets) };
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

  it('moves every hook secret to the new key with no failed open and no lost rotation', async () => {
    const before = await processWith({ keyProvider: 'local', localMasterKey: oldKey });
    ({
      organization: { id: orgId },
    } = await before.app.get(OrganizationRepository).createWithClient('acme', {
      clientId: 'mc_acme',
      secretHash: 'a'.repeat(64),
      name: 'admin',
      role: 'admin',
    }));
    for (let index = 0; index < HOOKS; index++) {
      const id = randomUUID();
      const sealed = await before.app
        .get(CredentialStore)
        .seal(orgId, id, { kind: 'settings', secrets: { token: `ghp_${randomBytes(18).toString('hex')}` } });
      await before.app
        .get(InstallationRepository)
        .createWithCredential(
          orgId,
          { id, integrationId: 'github', name: `GitHub ${index}`, mapping: { resources: [] }, settings: {} },
          sealed,
        );
      const hookId = `h_${randomBytes(32).toString('base64url')}`;
      const secret = randomBytes(32).toString('base64url');
      const envelope = await before.secrets.seal(orgId, id, { current: secret });
      await before.hooks.saveHook(orgId, id, { hookId, envelope }, {});
      latest.set(id, { hookId, secret });
    }

    // Every process now seals under the new key and still opens the old one.
    const rotating = await processWith({ keyProvider: 'local', localMasterKey: newKey, previousLocalMasterKeys: [oldKey] });
    const ids = [...latest.keys()];
    let running = true;
    let opens = 0;
    let rotations = 0;
    const openFailures: unknown[] = [];
    const edges = Array.from({ length: 3 }, async (_, edge) => {
      for (let index = edge; running; index = (index + 1) % ids.length) {
        const { hookId } = latest.get(ids[index]!)!;
        try {
          const hook = await rotating.hooks.findHook(hookId);
          if (!hook) throw new Error(`hook ${hookId} not found`);
          await rotating.secrets.open(hook.orgId, hook.installationId, hook.envelope);
          opens++;
        } catch (error) {
          openFailures.push(error);
        }
      }
    });
    // Secret rotations as the api does them: a new current secret, the old one kept as previous.
    const rotator = (async () => {
      for (let index = 0; running; index = (index + 7) % ids.length) {
        const id = ids[index]!;
        const { hookId, secret } = latest.get(id)!;
        const next = randomBytes(32).toString('base64url');
        const envelope = await rotating.secrets.seal(orgId, id, { current: next, previous: secret });
        await rotating.hooks.saveHook(orgId, id, null, {
          envelope,
          previousUntil: new Date(Date.now() + 3_600_000),
          secretRotated: true,
        });
        latest.set(id, { hookId, secret: next });
        rotations++;
      }
    })();

    const report = await rotating.rewrapper.rewrapAll({ batchSize: 4 });
    running = false;
    await Promise.all([...edges, rotator]);

    expect(openFailures).toEqual([]);
    expect(opens).toBeGreaterThan(HOOKS);
    expect(rotations).toBeGreaterThan(0);
    expect(report.failed).toEqual([]);
    expect(report.rewrapped + report.skipped).toBeGreaterThanOrEqual(HOOKS - rotations);
    const keys = await adminQuery<{ key_id: string; n: number }>(
      db,
      'SELECT key_id, count(*)::int AS n FROM installation_hooks GROUP BY key_id',
    );
    expect(keys).toEqual([{ key_id: localKeyId(Buffer.from(newKey, 'base64')), n: HOOKS }]);

    // The old key can go: every hook's secrets open with the new key alone, holding the latest
    // rotation, and a delivery GitHub signs with the current secret still verifies.
    const after = await processWith({ keyProvider: 'local', localMasterKey: newKey });
    const github = INTEGRATIONS.find((integration) => integration.id === 'github')!.liveEvents!;
    for (const [id, { hookId, secret }] of latest) {
      const hook = (await after.hooks.findHook(hookId))!;
      expect(hook.installationId).toBe(id);
      const opened = await after.secrets.open(orgId, id, hook.envelope);
      expect(opened.current).toBe(secret);
      const rawBody = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.' }));
      const receivedAt = new Date();
      const verdict = github.verify(
        {
          rawBody,
          receivedAt,
          headers: {
            'x-github-event': 'ping',
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
          },
        },
        verificationSecrets(opened, hook.previousUntil, receivedAt),
      );
      expect(verdict.verified).toBe(true);
    }
    expect(await after.rewrapper.rewrapAll()).toEqual({ rewrapped: 0, skipped: 0, failed: [] });
  });

  it('never overwrites a secret rotated between reading the hook and swapping its data key', async () => {
    const api = await processWith({ keyProvider: 'local', localMasterKey: newKey });
    const [id, { secret }] = [...latest][0]!;
    const read = (await api.hooks.hook(orgId, id))!;
    const wrapped = await api.secrets.rewrap(orgId, id, read.envelope);

    const next = randomBytes(32).toString('base64url');
    const envelope = await api.secrets.seal(orgId, id, { current: next, previous: secret });
    await api.hooks.saveHook(orgId, id, null, { envelope, secretRotated: true });

    expect(await api.hooks.rewrapHookSecrets(orgId, id, read.envelope, wrapped)).toBe(false);
    const stored = (await api.hooks.hook(orgId, id))!;
    expect((await api.secrets.open(orgId, id, stored.envelope)).current).toBe(next);
  });
});
