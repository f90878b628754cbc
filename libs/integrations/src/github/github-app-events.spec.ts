import { describe, expect, it } from 'vitest';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { githubLiveEvents } from './github-live-events.js';

const live = githubLiveEvents;
const appHeaders = (event: string, appId = '313131') => ({
  'x-github-event': event,
  'x-github-hook-installation-target-type': 'integration',
  'x-github-hook-installation-target-id': appId,
});

describe('GitHub App webhook deliveries', () => {
  it('name the App and its installation only for an App webhook and numeric ids', () => {
    const body = { action: 'opened', installation: { id: 7001, node_id: 'MDIz' } };
    expect(live.appInstallationOf!({ headers: appHeaders('issues'), body })).toEqual({ appId: '313131', installationId: '7001' });
    // An organization webhook's delivery names the organization, not an App.
    const orgHook = { ...appHeaders('issues'), 'x-github-hook-installation-target-type': 'organization' };
    expect(live.appInstallationOf!({ headers: orgHook, body })).toBeNull();
    expect(live.appInstallationOf!({ headers: appHeaders('ping'), body: { zen: 'x' } })).toBeNull();
    expect(live.appInstallationOf!({ headers: appHeaders('issues'), body: { installation: { id: '1 OR 1=1' } } })).toBeNull();
    expect(live.appInstallationOf!({ headers: appHeaders('issues', 'abc'), body })).toBeNull();
    expect(live.appInstallationOf!({ headers: appHeaders('issues'), body: [] })).toBeNull();
  });

  it('withdraw access on suspend and deleted, restore it on unsuspend, and ignore other actions', () => {
    const installation = { id: 7001, account: { login: 'octo-org' } };
    const of = (action: string, event = 'installation') =>
      live.appAccessOf!({ headers: appHeaders(event), body: { action, installation } });
    expect(of('suspend')).toEqual({ access: 'withdrawn', reason: expect.stringContaining('on octo-org was suspended') });
    expect(of('deleted')).toEqual({ access: 'withdrawn', reason: expect.stringContaining('uninstalled from octo-org') });
    expect(of('unsuspend')).toMatchObject({ access: 'restored' });
    expect(of('created')).toBeNull();
    expect(of('new_permissions_accepted')).toBeNull();
    // A repository's `deleted` is not the App's.
    expect(of('deleted', 'repository')).toBeNull();
  });

  it('turn repositories added into re-reads and removed ones into deletions to confirm', () => {
    const changes = live.changes({
      headers: appHeaders('installation_repositories'),
      body: {
        action: 'added',
        repositories_added: [{ id: 1, name: 'a', full_name: 'octo-org/a', private: true }, { name: 'no-full-name' }, 'x'],
        repositories_removed: [{ id: 2, name: 'b', full_name: 'octo-org/b', private: false }],
        installation: { id: 7001 },
      },
    });
    expect(changes).toEqual([
      { kind: 'repository', itemId: 'octo-org/a', action: 'upsert' },
      {
        kind: 'repository',
        itemId: 'octo-org/b',
        action: 'delete',
        item: { id: 2, name: 'b', full_name: 'octo-org/b', private: false },
      },
    ]);
    expect(live.changes({ headers: appHeaders('installation'), body: { action: 'suspend' } })).toEqual([]);
  });

  it('register no organization webhook for an App installation, with or without organization', () => {
    expect(live.registersFor!({ appId: '1', installationId: '2', organization: 'octo-org' })).toBe(false);
    expect(live.registersFor!({ installationId: '2' })).toBe(false);
    expect(live.registersFor!({ organization: 'octo-org' })).toBe(true);
  });
});

describe('GitHub organization webhook registration', () => {
  const register = (status: number) =>
    live.register!(
      testConnection({ organization: 'octo-org' }, 'ghp_token', {
        fetch: () => Promise.resolve(new Response('{"message":"Not Found"}', { status })),
      }),
      { url: 'https://mooring.example.com/v1/hooks/h_x', secret: 's' },
    );

  it('says the token lacks admin:org_hook when GitHub answers 404 or 403', async () => {
    for (const status of [403, 404]) {
      await expect(register(status)).rejects.toMatchObject({
        code: 'CREDENTIALS_SCOPE_MISSING',
        message: expect.stringContaining('admin:org_hook'),
        details: { scope: 'admin:org_hook', status },
      });
    }
    await expect(register(401)).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
  });
});
