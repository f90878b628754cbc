import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS, pageItems, type JsonObject } from '@mooring/integrations';
import { FakeGithub, memoryResponseCache, testConnection } from '@mooring/integrations/testing';

// The GitHub kinds against the fake GitHub over loopback, with an in-memory response cache: the
// primary quota running out mid-listing is waited out, not failed.
describe('GitHub kinds and the primary rate limit', () => {
  const token = 'ghp_rateLimitedToken0123456789';
  let fake: FakeGithub;

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 30, releases: 1 }, rateLimit: 20, windowSeconds: 2 });
    fake.addToken(token, { login: 'octocat', scopes: 'repo, read:org', organizations: ['octo-org'] });
  });
  afterAll(() => fake?.close());

  it('waits for the window to reset when the quota (less its reserve) is spent, and completes the listing', async () => {
    const connection = testConnection({ host: fake.host, organization: 'octo-org' }, token, {
      signal: AbortSignal.timeout(30_000),
      responseCache: memoryResponseCache(),
    });
    const github = INTEGRATIONS.find((integration) => integration.id === 'github')!;
    const releases: JsonObject[] = [];
    for await (const page of github.kinds['release']!.extract(connection, {})) releases.push(...pageItems(page));
    expect(releases).toHaveLength(30);
    expect(new Set(releases.map((r) => r['__repository'])).size).toBe(30);
    // 31 requests against a quota of 20 per window: at least one window reset was waited for.
    expect(fake.stats.requests).toBeGreaterThanOrEqual(31);
  });
});
