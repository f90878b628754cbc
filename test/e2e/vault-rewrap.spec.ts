import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKeyId } from '@mooring/crypto';
import { CredentialStore } from '@mooring/installations';
import { HookSecrets } from '@mooring/live-events';
import { InstallationRepository, LiveEventRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { AppProcess } from '../support/processes.js';
import { TestApi } from '../support/test-api.js';

// The rotation command as operators run it: the built CLI against a database the api wrote to.
describe('vault:rewrap command', () => {
  let api: TestApi;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    api = await TestApi.start({ VAULT_LOCAL_MASTER_KEY: oldKey });
    const { orgId } = await api.createOrganization('acme');
    for (const name of ['one', 'two', 'three']) {
      const id = randomUUID();
      const token = `ghp_${name}_${randomBytes(8).toString('hex')}`;
      const sealed = await api.app.get(CredentialStore).seal(orgId, id, { kind: 'settings', secrets: { token } });
      await api.app
        .get(InstallationRepository)
        .createWithCredential(orgId, { id, integrationId: 'github', name, mapping: { resources: [] }, settings: {} }, sealed);
      if (name === 'one') {
        const envelope = await api.app.get(HookSecrets).seal(orgId, id, { current: randomBytes(32).toString('base64url') });
        await api.app
          .get(LiveEventRepository)
          .saveHook(orgId, id, { hookId: `h_${randomBytes(32).toString('base64url')}`, envelope }, {});
      }
    }
  });

  afterAll(async () => {
    await api.close();
  });

  it('re-wraps every data key under the new key and reports it as JSON', async () => {
    const cli = AppProcess.start('apps/api/dist/cli/vault-rewrap.js', {
      DATABASE_URL: api.db.appUrl,
      VAULT_LOCAL_MASTER_KEY: newKey,
      VAULT_LOCAL_PREVIOUS_MASTER_KEYS: oldKey,
    });
    expect(await cli.exitCode()).toBe(0);
    const newKeyId = localKeyId(Buffer.from(newKey, 'base64'));
    expect(JSON.parse(cli.output.trim().split('\n').at(-1)!)).toEqual({
      keyId: newKeyId,
      rewrapped: 3,
      skipped: 0,
      failed: [],
      hookSecrets: { rewrapped: 1, skipped: 0, failed: [] },
    });
    expect(await adminQuery(api.db, 'SELECT DISTINCT key_id FROM installation_credentials')).toEqual([{ key_id: newKeyId }]);
    expect(await adminQuery(api.db, 'SELECT DISTINCT key_id FROM installation_hooks')).toEqual([{ key_id: newKeyId }]);
    expect(cli.output).not.toContain(oldKey);
    expect(cli.output).not.toContain(newKey);
  });

  it('fails, naming the credentials, when the old key is not configured', async () => {
    const otherKey = randomBytes(32).toString('base64');
    const cli = AppProcess.start('apps/api/dist/cli/vault-rewrap.js', {
      DATABASE_URL: api.db.appUrl,
      VAULT_LOCAL_MASTER_KEY: otherKey,
    });
    expect(await cli.exitCode()).toBe(1);
    const report = JSON.parse(cli.output.trim().split('\n').at(-1)!);
    expect(report.failed).toHaveLength(3);
    expect(report.failed[0].error).toMatch(/local master key local:[0-9a-f]{16} is not configured/);
    expect(report.hookSecrets.failed).toHaveLength(1);
  });
});
