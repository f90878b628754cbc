import type { CountedPage, IntegrationConnection, JsonObject } from '../integration-definition.js';
import { ToolClient, paging, toolMessage, type Answer, type CredentialBudget } from '../toolkit/index.js';
import { githubApiBase } from './github-auth.js';

export const PER_PAGE = 100;
/** Requests in flight per token (Ocean's constant; GitHub's secondary limit allows 100). */
export const MAX_IN_FLIGHT_PER_TOKEN = 10;
/** Share of the primary quota left to live events: syncs wait for the reset below it (Ocean's 95% threshold). */
export const QUOTA_RESERVE = 0.05;

/** GitHub lists with `per_page` and `Link: rel="next"`; some listings wrap the page (`{total_count, workflows}`). */
export const githubListing = (itemsKey?: string) => paging.linkHeader(itemsKey === undefined ? {} : { itemsKey });

/**
 * GitHub's REST API for one connection, on the toolkit's client: conditional requests from the
 * installation's cache (a 304 costs no quota), 10 requests in flight per token, 5% of the quota
 * kept for live events, `x-ratelimit-*` waited out, secondary limits (403 or 429 with
 * `Retry-After`, or GitHub's "secondary rate limit" message) waited out, and 404, 410 and 451 as
 * nothing there (a repository gone mid-run). A 401 is CREDENTIALS_INVALID: the token was revoked or
 * has expired.
 */
export function githubClient(connection: IntegrationConnection, budget?: CredentialBudget): ToolClient {
  return new ToolClient(
    connection,
    {
      id: 'github',
      tool: 'GitHub',
      apiRoot: githubApiBase(connection.settings),
      headers: (token) => ({
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'user-agent': 'mooring',
        'x-github-api-version': '2022-11-28',
      }),
      maxInFlight: MAX_IN_FLIGHT_PER_TOKEN,
      quotaReserve: QUOTA_RESERVE,
      rateLimitStatuses: [403, 429],
      rateLimitedBody: (text) => /secondary rate limit|abuse detection/i.test(toolMessage(text)),
      absentStatuses: [404, 410, 451],
      refusedMessage: () => 'GitHub rejected the token (401 Bad credentials): it was revoked or has expired',
    },
    budget,
  );
}

/** What a repository `type` keeps of an App installation's repositories (the listing has no `type`). */
const REPOSITORY_TYPE_FILTERS: Readonly<Record<string, (repository: JsonObject) => boolean>> = {
  public: (repository) => repository['private'] === false,
  private: (repository) => repository['private'] === true,
  forks: (repository) => repository['fork'] === true,
  sources: (repository) => repository['fork'] === false,
};

/**
 * The repositories a GitHub App installation was granted (`GET /installation/repositories`). The
 * listing states `total_count`, so an unfiltered listing that ends short is incomplete and the run
 * deletes nothing; a filtered one keeps what the type selects, with no count.
 */
export async function* installationRepositories(client: ToolClient, type: string): AsyncGenerator<CountedPage> {
  const filter = REPOSITORY_TYPE_FILTERS[type];
  const listing = client.url('/installation/repositories', { per_page: PER_PAGE });
  for await (const page of client.countedPages(listing, paging.linkHeader({ itemsKey: 'repositories', total: totalCount }))) {
    yield filter ? { items: page.items.filter(filter) } : page;
  }
}

/** The items of counted pages, for code that walks repositories without counting them. */
export async function* itemsOf(pages: AsyncIterable<CountedPage>): AsyncGenerator<JsonObject[]> {
  for await (const page of pages) yield [...page.items];
}

const totalCount = (answer: Answer) =>
  answer.body && typeof answer.body === 'object' && !Array.isArray(answer.body) ? answer.body['total_count'] : undefined;
