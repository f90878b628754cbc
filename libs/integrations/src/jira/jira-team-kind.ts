import { DomainError, isDomainError } from '@mooring/platform';
import { z } from 'zod';
import type { IntegrationConnection, JsonObject, JsonValue, KindDefinition } from '../integration-definition.js';
import { fanOut, flatten, paging, rechunk, skippingItemFailures, type ToolClient } from '../toolkit/index.js';
import { isObject, jiraClient } from './jira-client.js';

// Atlassian Teams, from the Teams public REST API on the Cloud site's gateway
// (`https://<site>.atlassian.net/gateway/api/public/teams/v1/org/{orgId}/...`). It needs the
// organization id (a setting) and takes the API token with the account's email (basic); it is not
// behind `api.atlassian.com/ex/jira/{cloudId}` for OAuth (3LO) tokens, and Data Center has no
// Atlassian Teams, so the kind is unavailable (skipped, its entities kept) for those installs.
// - the site's cloud id first (`GET /_edge/tenant_info`), sent as `siteId` so site-scoped teams
//   are listed too;
// - teams: `GET …/teams?siteId&size=300`, pages by `cursor` (absent or null on the last);
// - members: `POST …/teams/{teamId}/members` with `{ "first": 50, "after": <endCursor> }`, answering
//   `results[].accountId` and `pageInfo { hasNextPage, endCursor }`, sent through the toolkit's
//   POST paging (the page's `first`/`after` move into the body).
// A team's members are read in full before the team is yielded (`__members`); a page that says
// more follow but gives no cursor, or a member without an account id, fails the kind: a team with
// a partial member list would drop memberships that exist.

/** Atlassian organization ids: letters, digits and dashes (they are not hex UUIDs). */
export const ORGANIZATION_ID_FORMAT = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

const TEAMS_PAGE = 300; // the API's maximum
const MEMBERS_PAGE = 50;
const CONCURRENCY = 10;

const selector = z.strictObject({ includeMembers: z.boolean().default(true) });

/** Why this installation cannot list teams, or undefined when it can. */
export function teamsUnavailable(connection: IntegrationConnection): string | undefined {
  const orgId = connection.settings['atlassianOrganizationId']?.trim();
  if (!orgId) return 'Atlassian teams need the organization id: set atlassianOrganizationId to sync them';
  if (connection.authMethod === 'oauth2') {
    return 'Atlassian’s Teams API takes an API token with its email, not an OAuth (3LO) token: connect with an API token to sync teams';
  }
  if (!connection.settings['email']) return 'Atlassian teams exist on Jira Cloud only, not on Data Center';
  return undefined;
}

/** The organization id setting, checked: VALIDATION_FAILED naming it when it is not one. */
export function organizationId(settings: Readonly<Record<string, string>>): string {
  const orgId = settings['atlassianOrganizationId']?.trim() ?? '';
  if (!ORGANIZATION_ID_FORMAT.test(orgId)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'The Atlassian organization id is letters, digits and dashes (admin.atlassian.com/o/<id>)',
      {
        fields: [{ field: 'settings.atlassianOrganizationId', message: 'not an organization id' }],
      },
    );
  }
  return orgId;
}

async function* teams(connection: IntegrationConnection, includeMembers: boolean): AsyncGenerator<JsonObject[]> {
  const reason = teamsUnavailable(connection);
  if (reason)
    throw new DomainError('VALIDATION_FAILED', reason, {
      fields: [{ field: 'settings.atlassianOrganizationId', message: reason }],
    });
  const base = `/gateway/api/public/teams/v1/org/${encodeURIComponent(organizationId(connection.settings))}`;
  // No 404 as "nothing there": an unknown organization must fail, not look like one without teams.
  const { client } = await jiraClient(connection, undefined, { absentStatuses: [] });
  const siteId = await cloudId(client);
  const listed = refusedAsReason(
    client.pages(
      client.url(`${base}/teams`, { siteId, size: TEAMS_PAGE }),
      paging.cursor({ itemsKey: 'entities', param: 'cursor', next: (body) => (isObject(body) ? body['cursor'] : undefined) }),
    ),
  );
  const checked = (async function* () {
    for await (const team of flatten(listed)) {
      const id = team['teamId'];
      if (typeof id !== 'string' || !id) throw malformed('a team without a teamId');
      yield { id, team };
    }
  })();
  if (!includeMembers) {
    yield* rechunk(
      (async function* () {
        for await (const { team } of checked) yield [team];
      })(),
      100,
    );
    return;
  }
  const { client: members } = await jiraClient(connection, undefined, { absentStatuses: [], request: membersRequest });
  yield* rechunk(
    fanOut(
      checked,
      skippingItemFailures(
        connection,
        ({ id }: { id: string }) => `team ${id}`,
        async function* ({ id, team }: { id: string; team: JsonObject }) {
          const path = `${base}/teams/${encodeURIComponent(id)}/members`;
          yield [{ ...team, __members: await memberIds(members, path, siteId) }];
        },
      ),
      CONCURRENCY,
    ),
    100,
  );
}

/** Every member's account id, page by page (`pageInfo.endCursor` while `hasNextPage`). */
async function memberIds(client: ToolClient, path: string, siteId: string): Promise<JsonValue[]> {
  const ids: JsonValue[] = [];
  const pages = client.pages(
    client.url(path, { siteId, first: MEMBERS_PAGE }),
    paging.cursor({
      itemsKey: 'results',
      param: 'after',
      done: (body) => pageInfo(body, path).hasNextPage === false,
      next: (body) => {
        const info = pageInfo(body, path);
        if (typeof info.endCursor !== 'string' || !info.endCursor) {
          throw malformed(`a page of ${path} that says more members follow but gives no endCursor`);
        }
        return info.endCursor;
      },
    }),
  );
  for await (const page of pages) {
    for (const member of page) {
      if (typeof member['accountId'] !== 'string' || !member['accountId'])
        throw malformed(`a member of ${path} without an accountId`);
      ids.push(member['accountId']);
    }
  }
  return ids;
}

/**
 * The site's cloud id, which the Teams API takes as `siteId` so that site-scoped teams are listed
 * too: `GET /_edge/tenant_info` on the site answers `{ "cloudId": … }`.
 */
async function cloudId(client: ToolClient): Promise<string> {
  const answer = await client.get(client.url('/_edge/tenant_info'));
  const id = answer && isObject(answer.body) ? answer.body['cloudId'] : undefined;
  if (typeof id !== 'string' || !id) {
    throw new DomainError('UPSTREAM_MALFORMED', 'The Jira site did not name its cloud id (GET /_edge/tenant_info)');
  }
  return id;
}

/** The members listing is a POST whose body carries the page: `first`, then `after`. */
function membersRequest(page: URL): { url: URL; method: 'POST'; body: JsonObject } {
  const url = new URL(page);
  const body: JsonObject = { first: Number(url.searchParams.get('first') ?? MEMBERS_PAGE) };
  const after = url.searchParams.get('after');
  if (after !== null) body['after'] = after;
  url.searchParams.delete('first');
  url.searchParams.delete('after');
  return { url, method: 'POST', body };
}

function pageInfo(body: JsonValue, path: string): { hasNextPage: boolean; endCursor?: JsonValue } {
  const info = isObject(body) ? body['pageInfo'] : undefined;
  if (!isObject(info) || typeof info['hasNextPage'] !== 'boolean')
    throw malformed(`a page of ${path} without pageInfo.hasNextPage`);
  return { hasNextPage: info['hasNextPage'], endCursor: info['endCursor'] };
}

/** A 403 on the organization's teams says why in words: the account is no org admin, or Teams is off. */
async function* refusedAsReason(pages: AsyncIterable<JsonObject[]>): AsyncGenerator<JsonObject[]> {
  try {
    yield* pages;
  } catch (error) {
    if (isDomainError(error, 'UPSTREAM_FAILED') && error.details['status'] === 403) {
      throw new DomainError(
        'UPSTREAM_FAILED',
        `Atlassian refused to list the organization’s teams (403): the API token’s account must be allowed to read the organization’s teams (${error.message})`,
        { ...error.details, reason: 'teams_forbidden' },
      );
    }
    throw error;
  }
}

function malformed(what: string): DomainError {
  return new DomainError('UPSTREAM_MALFORMED', `Atlassian’s Teams API answered ${what}`);
}

export const jiraTeamKind: KindDefinition = {
  title: 'Teams (Atlassian Teams, with members; needs the organization id)',
  selector,
  unavailable: teamsUnavailable,
  extract: (connection, raw) => teams(connection, selector.parse(raw).includeMembers),
};
