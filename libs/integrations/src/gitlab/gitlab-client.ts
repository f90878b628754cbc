import type { IntegrationConnection, JsonValue } from '../integration-definition.js';
import { ToolClient, paging, type Answer, type CredentialBudget } from '../toolkit/index.js';
import { gitlabApiRoot } from './gitlab-auth.js';

/** GitLab's largest page. */
export const PER_PAGE = 100;
/** Requests in flight per token. */
export const MAX_IN_FLIGHT_PER_TOKEN = 10;
/** Share of the per-minute quota (`RateLimit-*`) left to live events' item reads. */
export const QUOTA_RESERVE = 0.05;

/** The listing's size from `X-Total`, which GitLab leaves out above 10,000 records (and sometimes on gitlab.com). */
const xTotal = (answer: Answer): JsonValue | undefined => {
  const total = answer.headers.get('x-total');
  if (total === null || total.trim() === '') return undefined;
  const count = Number(total);
  return Number.isInteger(count) && count >= 0 ? count : undefined;
};

/** Offset paging: `page` and `per_page`, the next page from `X-Next-Page` (empty on the last). */
export const offsetListing = () => paging.pageNumber({ size: PER_PAGE, nextPageHeader: 'x-next-page', total: xTotal });

/**
 * Keyset paging (`pagination=keyset`, for the listings GitLab offers it on: projects, a project's
 * jobs): the next page is only in `Link: rel="next"`, and no `X-*` page headers are sent.
 */
export const keysetListing = () => paging.linkHeader({});

/**
 * GitLab's REST API (`<host>/api/v4`) for one connection, on the toolkit's client: 10 requests in
 * flight per token, GitLab's `RateLimit-*` quota and `Retry-After` waited out (5% of the quota kept
 * for live events), 5xx retried, and 401 as CREDENTIALS_INVALID. A 404 is not "nothing there":
 * GitLab answers it for private things the token cannot see, so it fails the listing (for a
 * per-project listing, that project is skipped and the run deletes nothing).
 */
export function gitlabClient(connection: IntegrationConnection, budget?: CredentialBudget): ToolClient {
  return new ToolClient(
    connection,
    {
      id: 'gitlab',
      tool: 'GitLab',
      apiRoot: gitlabApiRoot(connection.settings),
      headers: (token) => ({ accept: 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'mooring' }),
      // GitLab documents no conditional requests (ETag, 304) for its REST listings.
      conditionalRequests: false,
      maxInFlight: MAX_IN_FLIGHT_PER_TOKEN,
      quotaReserve: QUOTA_RESERVE,
      refusedMessage: () => 'GitLab rejected the token (401 Unauthorized): it was revoked or has expired',
    },
    budget,
  );
}

/** The same client for reading one item, where a 404 means the item is gone (live events confirm deletions with it). */
export function gitlabItemClient(connection: IntegrationConnection): ToolClient {
  return new ToolClient(connection, {
    id: 'gitlab',
    tool: 'GitLab',
    apiRoot: gitlabApiRoot(connection.settings),
    headers: (token) => ({ accept: 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'mooring' }),
    conditionalRequests: false,
    maxInFlight: MAX_IN_FLIGHT_PER_TOKEN,
    absentStatuses: [404],
    refusedMessage: () => 'GitLab rejected the token (401 Unauthorized): it was revoked or has expired',
  });
}
