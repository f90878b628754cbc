import { DomainError } from '@mooring/platform';
import { z } from 'zod';
import type { IntegrationConnection, JsonObject, KindDefinition, Page } from '../integration-definition.js';
import { fanOut, flatten, paging, rechunk, skippingItemFailures, type ToolClient } from '../toolkit/index.js';
import { bareArray, idText, isObject, jiraClient, pageBean, type JiraSite } from './jira-client.js';
import { jiraTeamKind } from './jira-team-kind.js';

// The Jira kinds. Issues come from the current search (`/rest/api/3/search/jql`, pages by
// `nextPageToken` until `isLast`; Data Center's `/rest/api/2/search` by `startAt`), with the fields
// the mapping reads requested so an issue costs no request of its own. Projects, boards, sprints,
// releases and components are PageBeans; users a bare array. Releases and components are listed per
// project, sprints per scrum board (kanban boards have none), up to 10 at once; one refused project
// or board is skipped and counted. Mooring adds `__projectKey` (releases) and `__board` (sprints).

/** What an issue is read with: the default mapping's fields, one request per page of 100. */
export const ISSUE_FIELDS = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'assignee',
  'reporter',
  'creator',
  'project',
  'created',
  'updated',
  'resolutiondate',
  'labels',
  'components',
  'fixVersions',
  'parent',
].join(',');

/** Port's default: anything not done, and anything created or updated in the last week. */
export const DEFAULT_JQL = '(statusCategory != Done) OR (created >= -1w) OR (updated >= -1w)';

const CONCURRENCY = 10;

const selectors = {
  issue: z.strictObject({ jql: z.string().trim().min(1).max(10_000).default(DEFAULT_JQL) }),
} satisfies Record<string, z.ZodType>;

async function* projects(connection: IntegrationConnection): AsyncGenerator<JsonObject[]> {
  const { client, site } = await jiraClient(connection);
  if (!site.cloud) {
    // Data Center lists every project in one bare array.
    const answer = await client.get(client.url(`${site.api}/project`, { expand: 'description,lead' }));
    if (!answer || !Array.isArray(answer.body)) throw malformed(`${site.api}/project`);
    yield answer.body.filter(isObject);
    return;
  }
  yield* client.pages(client.url(`${site.api}/project/search`, { expand: 'description,lead,insight' }), pageBean());
}

async function* projectKeys(connection: IntegrationConnection): AsyncGenerator<string> {
  for await (const project of flatten(projects(connection))) {
    if (typeof project['key'] === 'string') yield project['key'];
  }
}

async function* issues(connection: IntegrationConnection, jql: string): AsyncGenerator<JsonObject[]> {
  const { client, site } = await jiraClient(connection);
  if (!site.cloud) {
    const url = client.url(`${site.api}/search`, { jql, fields: ISSUE_FIELDS });
    yield* client.pages(url, pageBean('issues', 100));
    return;
  }
  const url = client.url(`${site.api}/search/jql`, { jql, fields: ISSUE_FIELDS, maxResults: 100 });
  yield* client.pages(
    url,
    paging.cursor({
      itemsKey: 'issues',
      param: 'nextPageToken',
      next: (body) => (isObject(body) ? body['nextPageToken'] : undefined),
      done: (body) => isObject(body) && body['isLast'] === true,
    }),
  );
}

/** One issue by id, as the search yields it; null when Jira says it does not exist (or is not visible). */
export async function fetchIssue(connection: IntegrationConnection, id: string): Promise<JsonObject | null> {
  const { client, site } = await jiraClient(connection);
  const answer = await client.get(client.url(`${site.api}/issue/${encodeURIComponent(id)}`, { fields: ISSUE_FIELDS }));
  if (!answer) return null;
  if (!isObject(answer.body)) throw malformed(`${site.api}/issue/${id}`);
  return answer.body;
}

export async function fetchProject(connection: IntegrationConnection, idOrKey: string): Promise<JsonObject | null> {
  const { client, site } = await jiraClient(connection);
  const answer = await client.get(
    client.url(`${site.api}/project/${encodeURIComponent(idOrKey)}`, {
      expand: site.cloud ? 'description,lead,insight' : 'description,lead',
    }),
  );
  if (!answer) return null;
  if (!isObject(answer.body)) throw malformed(`${site.api}/project/${idOrKey}`);
  return answer.body;
}

export async function fetchRelease(connection: IntegrationConnection, id: string): Promise<JsonObject | null> {
  const { client, site } = await jiraClient(connection);
  const answer = await client.get(client.url(`${site.api}/version/${encodeURIComponent(id)}`));
  if (!answer) return null;
  if (!isObject(answer.body)) throw malformed(`${site.api}/version/${id}`);
  const project = await fetchProject(connection, idText(answer.body['projectId']));
  return project ? { ...answer.body, __projectKey: project['key'] ?? null } : null;
}

export async function fetchSprint(connection: IntegrationConnection, id: string): Promise<JsonObject | null> {
  const { client } = await jiraClient(connection);
  const answer = await client.get(client.url(`/rest/agile/1.0/sprint/${encodeURIComponent(id)}`));
  if (!answer) return null;
  if (!isObject(answer.body)) throw malformed(`/rest/agile/1.0/sprint/${id}`);
  return { ...answer.body, __board: answer.body['originBoardId'] ?? null };
}

/** Per project: its releases or components (Cloud: paged; Data Center: one bare array). */
function perProject(title: string, cloudPath: string, dcPath: string): KindDefinition {
  return {
    title,
    selector: z.strictObject({}),
    async *extract(connection): AsyncGenerator<Page> {
      const { client, site } = await jiraClient(connection);
      yield* rechunk(
        fanOut(
          projectKeys(connection),
          skippingItemFailures(
            connection,
            (key) => `project ${key}`,
            (key) => projectListing(client, site, `/project/${encodeURIComponent(key)}/`, cloudPath, dcPath, key),
          ),
          CONCURRENCY,
        ),
        100,
      );
    },
  };
}

async function* projectListing(
  client: ToolClient,
  site: JiraSite,
  base: string,
  cloudPath: string,
  dcPath: string,
  key: string,
): AsyncGenerator<JsonObject[]> {
  if (site.cloud) {
    for await (const page of client.pages(client.url(`${site.api}${base}${cloudPath}`), pageBean())) {
      yield page.map((item) => ({ ...item, __projectKey: key }));
    }
    return;
  }
  const answer = await client.get(client.url(`${site.api}${base}${dcPath}`));
  if (!answer) return;
  if (!Array.isArray(answer.body)) throw malformed(`${site.api}${base}${dcPath}`);
  yield answer.body.filter(isObject).map((item) => ({ ...item, __projectKey: key }));
}

const boards = async function* (connection: IntegrationConnection): AsyncGenerator<JsonObject[]> {
  const { client } = await jiraClient(connection);
  yield* client.pages(client.url('/rest/agile/1.0/board'), pageBean());
};

async function* sprints(connection: IntegrationConnection): AsyncGenerator<JsonObject[]> {
  const { client } = await jiraClient(connection);
  const scrumBoards = (async function* () {
    for await (const board of flatten(boards(connection))) if (board['type'] === 'scrum') yield board;
  })();
  yield* rechunk(
    fanOut(
      scrumBoards,
      skippingItemFailures(
        connection,
        (board: JsonObject) => `board ${idText(board['id'])}`,
        async function* (board: JsonObject) {
          const path = `/rest/agile/1.0/board/${encodeURIComponent(idText(board['id']))}/sprint`;
          for await (const page of client.pages(client.url(path), pageBean())) {
            yield page.map((sprint) => ({ ...sprint, __board: board['id'] ?? null }));
          }
        },
      ),
      CONCURRENCY,
    ),
    100,
  );
}

async function* users(connection: IntegrationConnection): AsyncGenerator<JsonObject[]> {
  const { client, site } = await jiraClient(connection);
  // Data Center searches users by name; `.` matches everyone.
  const url = site.cloud ? client.url(`${site.api}/users/search`) : client.url(`${site.api}/user/search`, { username: '.' });
  yield* client.pages(url, bareArray());
}

function malformed(path: string): DomainError {
  return new DomainError(
    'UPSTREAM_MALFORMED',
    `Jira answered GET ${path} with something other than the object or list it names`,
    {
      path,
    },
  );
}

const plain = (title: string, extract: (connection: IntegrationConnection) => AsyncIterable<Page>): KindDefinition => ({
  title,
  selector: z.strictObject({}),
  extract,
});

export const jiraKinds: Readonly<Record<string, KindDefinition>> = {
  project: plain('Projects', projects),
  issue: {
    title: 'Issues (JQL)',
    selector: selectors.issue,
    extract: (connection, raw) => issues(connection, selectors.issue.parse(raw).jql),
  },
  user: plain('Users', users),
  team: jiraTeamKind,
  board: plain('Boards', boards),
  sprint: plain('Sprints (of scrum boards)', sprints),
  release: perProject('Releases (versions)', 'version', 'versions'),
  component: perProject('Components', 'component', 'components'),
};
