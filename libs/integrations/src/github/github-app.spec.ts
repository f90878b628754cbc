import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import {
  appInstallationSettingsUrl,
  githubAppJwt,
  mintInstallationToken,
  parseAppPrivateKey,
  validateGithubSettings,
} from './github-app.js';
import { FakeGithub } from './testing/fake-github.server.js';

// Keys are made here, at test time: no private key is committed.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, fields: error.details['fields'], message: error.message };
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('GitHub App JWT', () => {
  it('is RS256, issued a minute back, expiring within 10 minutes, with the App id as iss, and verifies with the public key', async () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    const jwt = await githubAppJwt('123456', pem, now);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = decode(payload);
    expect(claims).toEqual({ iat: now / 1000 - 60, exp: now / 1000 + 540, iss: '123456' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    const forged = (await githubAppJwt('123456', other, now)).split('.')[2]!;
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(forged, 'base64url'))).toBe(false);
  });
});

describe('GitHub App settings', () => {
  const app = { appId: '123456', installationId: '7890' };

  it('accepts a token alone, or the three App fields (PKCS#8 or PKCS#1 keys)', () => {
    expect(() => validateGithubSettings({}, { token: 'ghp_x' })).not.toThrow();
    expect(() => validateGithubSettings(app, { privateKey: pem })).not.toThrow();
    expect(() => validateGithubSettings(app, { privateKey: other })).not.toThrow();
  });

  it.each([
    [{}, {}, 'settings.token'],
    [app, { privateKey: pem, token: 'ghp_x' }, 'settings.token'],
    [{ installationId: '7890' }, { privateKey: pem }, 'settings.appId'],
    [{ ...app, appId: '12ab' }, { privateKey: pem }, 'settings.appId'],
    [{ ...app, installationId: '-1' }, { privateKey: pem }, 'settings.installationId'],
    [{ appId: '123456' }, { privateKey: pem }, 'settings.installationId'],
    [app, {}, 'settings.privateKey'],
    [app, { privateKey: 'not a key' }, 'settings.privateKey'],
    [app, { privateKey: pem.replace(/[A-Za-z]{8}\n/, 'AAAAAAAA\n').slice(0, 200) }, 'settings.privateKey'],
    [{}, { privateKey: pem }, 'settings.appId'],
  ])('refuses settings %j (secrets elided) naming %s', (settings, secrets, field) => {
    const refused = failure(() => validateGithubSettings(settings, secrets));
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.fields).toEqual([{ field, message: expect.any(String) }]);
    expect(refused.message).not.toContain('PRIVATE KEY');
  });

  it('reads a key pasted without its line breaks (a masked input drops them), or with spaces for them', () => {
    expect(() => validateGithubSettings(app, { privateKey: pem.replace(/\n/g, '') })).not.toThrow();
    expect(() => validateGithubSettings(app, { privateKey: other.replace(/\n/g, ' ') })).not.toThrow();
    expect(parseAppPrivateKey(pem.replace(/\n/g, '')).export({ type: 'pkcs8', format: 'pem' })).toBe(pem);
  });

  it('refuses a key that is not RSA, saying so', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(failure(() => parseAppPrivateKey(ec)).message).toMatch(/ec key; a GitHub App key is RSA/);
  });
});

describe('GitHub App installation settings page', () => {
  it('is under the organization for an organization, the user’s own settings for a user, on the instance’s web origin', () => {
    expect(appInstallationSettingsUrl({}, { login: 'octo-org', type: 'Organization' }, '8101')).toBe(
      'https://github.com/organizations/octo-org/settings/installations/8101',
    );
    expect(appInstallationSettingsUrl({}, { login: 'mira-k', type: 'User' }, '8102')).toBe(
      'https://github.com/settings/installations/8102',
    );
    expect(
      appInstallationSettingsUrl({ host: 'https://ghe.example.com' }, { login: 'platform team', type: 'Organization' }, '7'),
    ).toBe('https://ghe.example.com/organizations/platform%20team/settings/installations/7');
  });

  it('is null for an account type GitHub has no such page for', () => {
    expect(appInstallationSettingsUrl({}, { login: 'acme-corp', type: 'Enterprise' }, '9')).toBeNull();
  });
});

describe('Minting installation tokens against the fake GitHub', () => {
  let fake: FakeGithub;
  const settings = (installationId: number, appId = 123456) => ({ appId: String(appId), installationId: String(installationId) });
  const mint = (s: Record<string, string>, key = pem) =>
    mintInstallationToken({
      settings: { ...s, host: fake.host },
      secrets: { privateKey: key },
      fetch,
      signal: AbortSignal.timeout(10_000),
    });
  const refusal = async (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => {
        if (isDomainError(error)) return { code: error.code, ...error.details };
        throw error;
      },
    );

  beforeAll(async () => {
    fake = await FakeGithub.start();
    fake.apps.addApp(123456, publicKey);
    fake.apps.install(7890, 123456, 'octo-org');
    fake.apps.install(7891, 123456, 'octo-org');
    fake.apps.install(7892, 123456, 'octo-org');
  });
  afterAll(() => fake?.close());

  it('mints a token that reads /installation/repositories and expires when GitHub says', async () => {
    const before = fake.apps.tokensMinted;
    const minted = await mint(settings(7890));
    expect(fake.apps.tokensMinted).toBe(before + 1);
    expect(Date.parse(minted.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const listed = await fetch(`${fake.host}/api/v3/installation/repositories?per_page=1`, {
      headers: { authorization: `Bearer ${minted.token}` },
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({
      total_count: 3,
      repository_selection: 'all',
      repositories: [{ name: expect.any(String) }],
    });
  });

  it('is refused with 401 for a JWT signed with another key, naming the private key', async () => {
    expect(await refusal(mint(settings(7890), other))).toMatchObject({
      code: 'CREDENTIALS_INVALID',
      status: 401,
      field: 'privateKey',
    });
  });

  it('is refused with 404 for an unknown or uninstalled installation, and 403 for a suspended one', async () => {
    expect(await refusal(mint(settings(9999)))).toMatchObject({
      code: 'CREDENTIALS_INVALID',
      status: 404,
      field: 'installationId',
    });
    const held = await mint(settings(7891));
    fake.apps.suspend(7891);
    expect(await refusal(mint(settings(7891)))).toMatchObject({ code: 'CREDENTIALS_INVALID', status: 403 });
    const revoked = await fetch(`${fake.host}/api/v3/installation/repositories`, {
      headers: { authorization: `Bearer ${held.token}` },
    });
    expect(revoked.status).toBe(401);
    fake.apps.uninstall(7892);
    expect(await refusal(mint(settings(7892)))).toMatchObject({ code: 'CREDENTIALS_INVALID', status: 404 });
  });

  it('is UPSTREAM_MALFORMED for a 201 without a token or expiry, UPSTREAM_FAILED for a server error', async () => {
    const answering = (status: number, body: unknown) => () =>
      Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    const request = { settings: settings(7890), secrets: { privateKey: pem }, signal: AbortSignal.timeout(10_000) };
    expect(await refusal(mintInstallationToken({ ...request, fetch: answering(201, { token: 'ghs_x' }) }))).toMatchObject({
      code: 'UPSTREAM_MALFORMED',
    });
    expect(
      await refusal(
        mintInstallationToken({ ...request, fetch: answering(201, { token: '', expires_at: '2030-01-01T00:00:00Z' }) }),
      ),
    ).toMatchObject({ code: 'UPSTREAM_MALFORMED' });
    expect(
      await refusal(mintInstallationToken({ ...request, fetch: answering(502, { message: 'Server Error' }) })),
    ).toMatchObject({
      code: 'UPSTREAM_FAILED',
      status: 502,
    });
  });

  it('answers GitHub’s 401 on an expired JWT', async () => {
    const stale = await githubAppJwt('123456', pem, Date.now() - 20 * 60_000);
    const response = await fetch(`${fake.host}/api/v3/app/installations/7890/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stale}` },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toMatch(/'Expiration time' claim \('exp'\)/);
  });

  it('sends the browser back to the setup URL with installation_id, setup_action and state', () => {
    const url = new URL(fake.apps.setupRedirect('https://mooring.example/v1/github-app/setup', 7890, 's1'));
    expect(Object.fromEntries(url.searchParams)).toEqual({ installation_id: '7890', setup_action: 'install', state: 's1' });
  });
});
