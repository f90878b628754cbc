import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore, IntegrationConnections, type CredentialPayload } from '@mooring/installations';
import { InstallationRepository, OrganizationRepository } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';
import { ScheduleRegistry } from '@mooring/queue';
import { adminQuery } from '../support/admin-query.js';
import { LoopbackServer, sendJson } from '@mooring/integrations/testing';
import { OAuthProvider } from '../support/fakes/oauth-provider.js';
import { installationsContext } from '../support/installations-context.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, type TestRedis } from '../support/test-redis.js';
import { oauthTestIntegration } from '../support/test-integrations.js';

const WORKERS = 10;
const CONCURRENT_CALLS = 50;

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

// Token refresh as sync workers see it: several independent "processes" (Nest application contexts,
// each with its own connection pool, vault and in-process state) asking for the same installation's
// token at once, against an authorization server that rotates refresh tokens and refuses reuse.
describe('OAuth token refresh across workers', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let provider: OAuthProvider;
  let workers: INestApplicationContext[];
  let orgId: string;
  // A token endpoint that answers like github.com: refusals come with HTTP 200 and an error body.
  let githubLike: LoopbackServer;
  let githubLikeAnswer: () => Promise<{ status: number; body: unknown }>;
  const masterKey = randomBytes(32).toString('base64');

  const startWorker = () =>
    installationsContext({
      db,
      redis,
      vault: { keyProvider: 'local', localMasterKey: masterKey },
      integrations: [
        oauthTestIntegration(provider.issuer),
        { ...oauthTestIntegration(githubLike.origin), id: 'oauth-github-like' },
      ],
      oauthClients: {
        'oauth-test': provider.client,
        'oauth-github-like': { clientId: 'gh-like', clientSecret: 'gh-like-secret' },
      },
      allowLoopback: true,
    });

  /** An OAuth installation whose access token expired a minute ago, with a live refresh token. */
  async function expiredInstallation(integrationId = 'oauth-test'): Promise<string> {
    const worker = workers[0]!;
    const id = randomUUID();
    const credential: CredentialPayload = {
      kind: 'oauth2',
      accessToken: `expired-${randomUUID()}`,
      refreshToken: provider.issueRefreshToken(),
      scope: 'read:things',
      obtainedAt: new Date(Date.now() - 3_660_000).toISOString(),
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      client: null,
    };
    const sealed = await worker.get(CredentialStore).seal(orgId, id, credential);
    await worker
      .get(InstallationRepository)
      .createWithCredential(
        orgId,
        { id, integrationId, name: `Tool ${id}`, authMethod: 'oauth2', mapping: { resources: [] }, settings: {} },
        sealed,
      );
    return id;
  }

  /** `calls` concurrent accessToken() calls spread over every worker. */
  function concurrently(installationId: string, calls: number): Array<Promise<string>> {
    return Array.from({ length: calls }, async (_, index) => {
      const connection = await workers[index % workers.length]!.get(IntegrationConnections).forInstallation(
        orgId,
        installationId,
      );
      return connection.accessToken();
    });
  }

  const credentialVersion = async (installationId: string) =>
    (
      await adminQuery<{ version: number }>(db, 'SELECT version FROM installation_credentials WHERE installation_id = $1', [
        installationId,
      ])
    )[0]!.version;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedis();
    provider = await OAuthProvider.start();
    githubLike = await LoopbackServer.start(async (_request, response) => {
      const { status, body } = await githubLikeAnswer();
      sendJson(response, status, body);
    });
    workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));
    const organizations = workers[0]!.get(OrganizationRepository);
    ({
      organization: { id: orgId },
    } = await organizations.createWithClient('acme', {
      clientId: 'mc_acme',
      secretHash: 'a'.repeat(64),
      name: 'admin',
      role: 'admin',
    }));
    await organizations.setAllowHttpHosts(orgId, true);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await provider.stop();
    await githubLike.close();
    await db.drop();
    await redis.clear();
  });

  it('the test server really rotates refresh tokens: a reused one is refused', async () => {
    const form = (refreshToken: string) =>
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...{ client_id: provider.client.clientId, client_secret: provider.client.clientSecret },
      });
    const refreshToken = provider.issueRefreshToken();
    const first = await fetch(`${provider.issuer}/token`, { method: 'POST', body: form(refreshToken) });
    const reused = await fetch(`${provider.issuer}/token`, { method: 'POST', body: form(refreshToken) });
    expect(first.status).toBe(200);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    provider.refused.length = 0;
    provider.tokenRequests.length = 0;
  });

  it(`makes exactly one refresh call for ${CONCURRENT_CALLS} concurrent callers on ${WORKERS} workers, and none sees invalid_grant`, async () => {
    const installationId = await expiredInstallation();
    const version = await credentialVersion(installationId);
    const tokens = await Promise.all(concurrently(installationId, CONCURRENT_CALLS));

    expect(provider.count('refresh_token')).toBe(1);
    expect(provider.refused).toEqual([]);
    expect(new Set(tokens).size).toBe(1);
    expect(provider.issued).toContain(tokens[0]);
    expect(await credentialVersion(installationId)).toBe(version + 1);
    const [state] = await adminQuery<{ state: string }>(db, 'SELECT state FROM installations WHERE id = $1', [installationId]);
    expect(state).toEqual({ state: 'active' });
  });

  it('refreshes again with the rotated refresh token when the new access token falls due', async () => {
    provider.accessTokenLifetime = 2;
    const installationId = await expiredInstallation();
    const before = provider.count('refresh_token');
    const [first] = await Promise.all(concurrently(installationId, 10));
    expect(provider.count('refresh_token')).toBe(before + 1);
    // Half of a 2-second lifetime later, the token is due.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await Promise.all(concurrently(installationId, 10));
    expect(provider.count('refresh_token')).toBe(before + 2);
    expect(new Set(second).size).toBe(1);
    expect(second[0]).not.toBe(first);
    expect(provider.refused).toEqual([]);
    provider.accessTokenLifetime = 3_600;
  });

  it('marks the installation needs_reauth when the provider refuses the refresh, pauses its schedule, and stops asking', async () => {
    const installationId = await expiredInstallation();
    const schedules = workers[0]!.get(ScheduleRegistry);
    await schedules.register({ orgId, installationId }, { type: 'interval', everySeconds: 3600 });
    provider.failNextRefresh = 'invalid_grant';
    const before = provider.count('refresh_token');
    const results = await Promise.allSettled(concurrently(installationId, 20));
    expect(provider.count('refresh_token')).toBe(before + 1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'REAUTH_REQUIRED' });
    }
    const [row] = await adminQuery<{ state: string; state_reason: string }>(
      db,
      'SELECT state, state_reason FROM installations WHERE id = $1',
      [installationId],
    );
    expect(row).toEqual({ state: 'needs_reauth', state_reason: 'the provider refused the token refresh (invalid_grant)' });
    expect(await schedules.nextRunAt(installationId)).toBeNull();
    // Twenty callers, one transition: one audit entry.
    const audit = await adminQuery<{ details: Record<string, unknown> }>(
      db,
      "SELECT details FROM audit_events WHERE target_id = $1 AND action = 'installation.state_changed'",
      [installationId],
    );
    expect(audit).toEqual([{ details: expect.objectContaining({ from: 'active', to: 'needs_reauth' }) }]);

    const later = await failure(concurrently(installationId, 1)[0]!);
    expect(later.code).toBe('REAUTH_REQUIRED');
    expect(provider.count('refresh_token')).toBe(before + 1);
  });

  it('lets a waiting worker take over when the first refresh fails for a passing reason', async () => {
    const installationId = await expiredInstallation();
    provider.failNextRefresh = 'temporarily_unavailable';
    const before = provider.count('refresh_token');
    const refusedBefore = provider.refused.length;
    const results = await Promise.allSettled(concurrently(installationId, 20));
    const fulfilled = results.filter((result): result is PromiseFulfilledResult<string> => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    // Callers sharing the failed attempt see it fail; the others get the token of the second attempt.
    expect(rejected.length).toBeGreaterThan(0);
    for (const { reason } of rejected) expect(reason).toMatchObject({ code: 'UPSTREAM_FAILED' });
    expect(fulfilled.length).toBeGreaterThan(0);
    expect(new Set(fulfilled.map((result) => result.value)).size).toBe(1);
    expect(provider.count('refresh_token')).toBe(before + 2);
    expect(provider.refused.slice(refusedBefore)).toEqual([{ grantType: 'refresh_token', error: 'temporarily_unavailable' }]);
    const [row] = await adminQuery<{ state: string }>(db, 'SELECT state FROM installations WHERE id = $1', [installationId]);
    expect(row).toEqual({ state: 'active' });
  });

  it('treats a refusal sent with HTTP 200 and an error body (github.com) as a refusal: needs_reauth once, one provider call', async () => {
    const installationId = await expiredInstallation('oauth-github-like');
    const schedules = workers[0]!.get(ScheduleRegistry);
    await schedules.register({ orgId, installationId }, { type: 'interval', everySeconds: 3600 });
    githubLikeAnswer = () =>
      Promise.resolve({
        status: 200,
        body: {
          error: 'bad_refresh_token',
          error_description: 'The refresh token passed is incorrect or expired.',
          error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors',
        },
      });
    const before = githubLike.requests.length;
    const results = await Promise.allSettled(concurrently(installationId, 20));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'REAUTH_REQUIRED' });
    }
    expect(githubLike.requests.length - before).toBe(1);
    const [row] = await adminQuery<{ state: string; state_reason: string }>(
      db,
      'SELECT state, state_reason FROM installations WHERE id = $1',
      [installationId],
    );
    expect(row).toEqual({ state: 'needs_reauth', state_reason: 'the provider refused the token refresh (bad_refresh_token)' });
    expect(await schedules.nextRunAt(installationId)).toBeNull();
    // Every later kind of a run asks again, and is answered from the state: the provider is not called.
    expect((await failure(concurrently(installationId, 1)[0]!)).code).toBe('REAUTH_REQUIRED');
    expect(githubLike.requests.length - before).toBe(1);
  });

  it('holds no database row lock while the provider answers a refresh', async () => {
    const installationId = await expiredInstallation('oauth-github-like');
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    githubLikeAnswer = async () => {
      await answered;
      return {
        status: 200,
        body: { access_token: 'gho_fresh_token_after_a_slow_answer', token_type: 'bearer', expires_in: 28_800 },
      };
    };
    const before = githubLike.requests.length;
    const token = concurrently(installationId, 1)[0]!;
    await expect.poll(() => githubLike.requests.length, { timeout: 10_000 }).toBe(before + 1);
    // While the provider has not answered, the credential's row and the installation are free to lock.
    const locked = await adminQuery(
      db,
      `SELECT 1 FROM installation_credentials c JOIN installations i ON i.id = c.installation_id
        WHERE c.installation_id = $1 FOR UPDATE NOWAIT`,
      [installationId],
    );
    expect(locked).toHaveLength(1);
    answer();
    expect(await token).toBe('gho_fresh_token_after_a_slow_answer');
    const [lease] = await adminQuery<{ refresh_lease_id: string | null }>(
      db,
      'SELECT refresh_lease_id FROM installation_credentials WHERE installation_id = $1',
      [installationId],
    );
    expect(lease).toEqual({ refresh_lease_id: null });
  });

  it('treats an unreachable token endpoint as a passing outage, not as a revoked grant', async () => {
    const installationId = await expiredInstallation();
    await provider.stop();
    const error = await failure(concurrently(installationId, 1)[0]!);
    expect(error.code).toBe('UPSTREAM_FAILED');
    const [row] = await adminQuery<{ state: string }>(db, 'SELECT state FROM installations WHERE id = $1', [installationId]);
    expect(row).toEqual({ state: 'active' });
  });
});
