import { describe, expect, it } from 'vitest';
import { isDomainError } from '@mooring/platform';
import type { IntegrationConnection } from '../integration-definition.js';
import { CredentialBudget } from '../toolkit/credential-budget.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { githubClient, githubListing } from './github-client.js';

const enterprise = (fetch: IntegrationConnection['fetch']) =>
  githubClient(testConnection({ host: 'https://ghe.example.com' }, 't0ken', { fetch }), new CredentialBudget());

describe('GitHub REST client', () => {
  it('never follows a Link to another host with the token', async () => {
    const calls: string[] = [];
    const client = enterprise((url) => {
      calls.push(String(url));
      return Promise.resolve(
        new Response('[]', { status: 200, headers: { link: '<https://evil.example.com/api/v3/x?page=2>; rel="next"' } }),
      );
    });
    const pages: unknown[] = [];
    const error = await (async () => {
      for await (const page of client.pages(client.url('/orgs/acme/repos'), githubListing())) pages.push(page);
    })().catch((e: unknown) => e);
    expect(isDomainError(error, 'UPSTREAM_FAILED')).toBe(true);
    expect(calls).toEqual(['https://ghe.example.com/api/v3/orgs/acme/repos']);
  });

  it('answers a 401 with CREDENTIALS_INVALID, and a 404 with nothing', async () => {
    const status = { value: 401 };
    const client = enterprise(() => Promise.resolve(new Response('{"message":"x"}', { status: status.value })));
    await expect(client.get(client.url('/user'))).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
    status.value = 404;
    expect(await client.get(client.url('/repos/a/b/pulls'))).toBeNull();
  });

  it('waits out a 403 whose message names a secondary rate limit, and fails on a plain 403', async () => {
    const answers = [
      new Response('{"message":"You have exceeded a secondary rate limit."}', { status: 403, headers: { 'retry-after': '0' } }),
      new Response('[]', { status: 200 }),
      new Response('{"message":"Resource not accessible by personal access token"}', { status: 403 }),
    ];
    const client = enterprise(() => Promise.resolve(answers.shift()!));
    expect(await client.get(client.url('/orgs/acme/repos'))).toMatchObject({ status: 200, body: [] });
    expect(client.stats.rateLimitWaits).toBe(1);
    await expect(client.get(client.url('/repos/acme/secret/pulls'))).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      message: 'GitHub answered 403 to GET /api/v3/repos/acme/secret/pulls: Resource not accessible by personal access token',
      details: { status: 403 },
    });
  });
});
