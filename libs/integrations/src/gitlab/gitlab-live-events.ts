import { DomainError } from '@mooring/platform';
import type {
  HookRegistration,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  LiveChange,
  LiveEventsDefinition,
} from '../integration-definition.js';
import { fanOut, tokenMatches } from '../toolkit/index.js';
import { HOOKS_SCOPE, gitlabApiRoot } from './gitlab-auth.js';
import { gitlabClient, gitlabItemClient } from './gitlab-client.js';
import { gitlabDefaultMapping } from './gitlab-data-model.js';
import {
  each,
  encoded,
  enrichProject,
  gitlabSelectors,
  groupMembers,
  isBot,
  projectPaths,
  scopeGroup,
  text,
  withProject,
} from './gitlab-kinds.js';

// GitLab's webhooks as Mooring's live events. At install, one group hook on the installation's
// group (it covers the subgroups and their projects, and alone sends member, project and subgroup
// events); where the token cannot manage group hooks (not the group's Owner, or an instance
// without group hooks: Free tier) or no group is set, one hook per project instead. GitLab signs
// nothing: it sends the hook's secret token back in `X-Gitlab-Token`, compared timing-safe with
// the installation's secrets. Payloads are partial and their dates come in three formats, so every
// change names the item and `fetchItem` reads it whole, in the shape extract yields it.

const EVENTS = {
  push_events: true,
  tag_push_events: true,
  issues_events: true,
  confidential_issues_events: true,
  merge_requests_events: true,
  note_events: false,
  pipeline_events: true,
  job_events: true,
  deployment_events: true,
  releases_events: true,
} as const;
/** Events only group hooks have. */
const GROUP_EVENTS = { member_events: true, project_events: true, subgroup_events: true } as const;
/** Project hooks created at once. */
const REGISTER_CONCURRENCY = 5;
const ZERO_SHA = /^0+$/;

interface ProjectHook {
  readonly project: string;
  readonly hookId: number;
}

/** A write to GitLab's API (hooks); answers the status and the body read as JSON (null when none). */
async function send(
  connection: IntegrationConnection,
  method: 'POST' | 'DELETE',
  path: string,
  body?: JsonObject,
): Promise<{ status: number; body: JsonValue }> {
  const response = await connection.fetch(`${gitlabApiRoot(connection.settings)}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${await connection.accessToken()}`,
      'user-agent': 'mooring',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: connection.signal,
  });
  const text = await response.text();
  let parsed: JsonValue = null;
  try {
    parsed = text ? (JSON.parse(text) as JsonValue) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

/** Why GitLab refused to create or remove a hook, as a coded error. */
function refusal(answer: { status: number; body: JsonValue }, where: string): DomainError {
  const body = isObject(answer.body) ? answer.body : {};
  if (answer.status === 401) {
    return new DomainError('CREDENTIALS_INVALID', 'GitLab rejected the token (401 Unauthorized) while creating webhooks', {
      field: 'token',
    });
  }
  if (answer.status === 403 && body['error'] === 'insufficient_scope') {
    return new DomainError('CREDENTIALS_SCOPE_MISSING', `Creating GitLab webhooks needs the scope ${HOOKS_SCOPE}`, {
      field: 'token',
      missingScopes: [HOOKS_SCOPE],
    });
  }
  return new DomainError('UPSTREAM_FAILED', `GitLab answered ${answer.status} to creating a webhook on ${where}`, {
    status: answer.status,
  });
}

async function registerProjectHooks(connection: IntegrationConnection, hook: { url: string; secret: string }) {
  const client = gitlabClient(connection);
  const created: ProjectHook[] = [];
  const refused: string[] = [];
  const create = async (project: string) => {
    const answer = await send(connection, 'POST', `/projects/${encoded(project)}/hooks`, hookBody(hook));
    if (answer.status === 201 && isObject(answer.body) && typeof answer.body['id'] === 'number') {
      created.push({ project, hookId: answer.body['id'] });
    } else if ((answer.status === 403 && !isScopeRefusal(answer.body)) || answer.status === 404) {
      // Not a Maintainer of this project: it is synced, without live events.
      refused.push(project);
    } else {
      throw refusal(answer, project);
    }
  };
  let batch: string[] = [];
  // In batches, each settled whole before the next: when one fails, every hook made is known.
  const flush = async () => {
    const results = await Promise.allSettled(batch.map(create));
    batch = [];
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    for await (const project of projectPaths(client, connection)) {
      batch.push(project);
      if (batch.length === REGISTER_CONCURRENCY) await flush();
    }
    await flush();
  } catch (error) {
    // Nothing half-made: the hooks created before the failure are removed again.
    await removeProjectHooks(connection, created).catch(() => {});
    throw error;
  }
  if (!created.length && refused.length) {
    throw new DomainError(
      'FORBIDDEN',
      'The GitLab token cannot create webhooks on any project: it needs the Maintainer role (or Owner of the group)',
      { reason: 'hook_permission', projects: refused.slice(0, 10) },
    );
  }
  return {
    reference: { scope: 'project', hooks: created as unknown as JsonValue, withoutHooks: refused },
  } satisfies HookRegistration;
}

async function removeProjectHooks(connection: IntegrationConnection, hooks: readonly ProjectHook[]): Promise<void> {
  for await (const _ of fanOut(
    each(hooks),
    async function* (hook: ProjectHook) {
      const answer = await send(connection, 'DELETE', `/projects/${encoded(hook.project)}/hooks/${hook.hookId}`);
      if (answer.status >= 300 && answer.status !== 404) throw refusal(answer, hook.project);
      yield hook;
    },
    REGISTER_CONCURRENCY,
  ));
}

const hookBody = (hook: { url: string; secret: string }, group = false): JsonObject => ({
  url: hook.url,
  name: 'Mooring',
  description: 'Mooring live events',
  token: hook.secret,
  enable_ssl_verification: true,
  ...EVENTS,
  ...(group ? GROUP_EVENTS : {}),
});

const isScopeRefusal = (body: JsonValue) => isObject(body) && body['error'] === 'insufficient_scope';

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GitLab's dates in any of its payload formats (`2026-09-03T14:02:11Z`, `… 14:02:11 UTC`, `… 16:15:02 +0200`) as ISO. */
export function isoDate(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const normalized = value
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/, '$1T$2Z')
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2})$/, '$1T$2$3:$4');
  const time = Date.parse(normalized);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

function malformed(event: string, what: string): DomainError {
  return new DomainError('UPSTREAM_MALFORMED', `GitLab's ${event} delivery has no ${what}`, { event });
}

/** The changes one delivery describes, by its `X-Gitlab-Event`. */
export function gitlabChanges(headers: Readonly<Record<string, string | undefined>>, body: JsonValue): LiveChange[] {
  const event = headers['x-gitlab-event'] ?? '';
  if (!isObject(body))
    throw new DomainError('UPSTREAM_MALFORMED', `GitLab's ${event || 'webhook'} delivery is not a JSON object`);
  const project = () => {
    const path = isObject(body['project']) ? text(body['project']['path_with_namespace']) : '';
    if (!path) throw malformed(event, 'project.path_with_namespace');
    return path;
  };
  const attributes = () => {
    if (!isObject(body['object_attributes'])) throw malformed(event, 'object_attributes');
    return body['object_attributes'];
  };
  const id = (value: JsonValue | undefined, what: string) => {
    if (typeof value !== 'number' && !(typeof value === 'string' && value !== '')) throw malformed(event, what);
    return String(value);
  };
  const upsert = (kind: string, itemId: string, version?: string): LiveChange => ({
    kind,
    itemId,
    action: 'upsert',
    ...(version ? { version } : {}),
  });
  // A deletion carries the item as far as the payload knows it: enough for the mapping's identifier.
  const remove = (kind: string, itemId: string, item: JsonObject): LiveChange => ({ kind, itemId, action: 'delete', item });

  switch (event) {
    case 'Merge Request Hook': {
      const mr = attributes();
      return [upsert('merge-request', `${project()}!${id(mr['iid'], 'object_attributes.iid')}`, isoDate(mr['updated_at']))];
    }
    case 'Issue Hook':
    case 'Confidential Issue Hook': {
      // Work items other than issues and incidents (tasks, epics) are not the issue kind.
      if (body['object_kind'] !== 'issue' && !['Issue', 'Incident'].includes(text(attributes()['type']))) return [];
      const issue = attributes();
      return [upsert('issue', `${project()}#${id(issue['iid'], 'object_attributes.iid')}`, isoDate(issue['updated_at']))];
    }
    case 'Pipeline Hook':
      return [upsert('pipeline', `${project()}:${id(attributes()['id'], 'object_attributes.id')}`)];
    case 'Job Hook':
      return [upsert('job', `${project()}:${id(body['build_id'], 'build_id')}`)];
    case 'Deployment Hook':
      return [
        upsert('deployment', `${project()}:${id(body['deployment_id'], 'deployment_id')}`, isoDate(body['status_changed_at'])),
      ];
    case 'Release Hook': {
      const tag = id(body['tag'], 'tag');
      const itemId = `${project()}:${tag}`;
      return [
        body['action'] === 'delete'
          ? remove('release', itemId, { tag_name: tag, name: text(body['name']) || null, __project: project() })
          : upsert('release', itemId),
      ];
    }
    case 'Tag Push Hook': {
      const tag = /^refs\/tags\/(.+)$/.exec(text(body['ref']))?.[1];
      if (!tag) throw malformed(event, 'ref');
      const itemId = `${project()}:${tag}`;
      return [
        ZERO_SHA.test(text(body['after'])) ? remove('tag', itemId, { name: tag, __project: project() }) : upsert('tag', itemId),
      ];
    }
    case 'Push Hook': {
      const path = project();
      const branch = /^refs\/heads\/(.+)$/.exec(text(body['ref']))?.[1];
      if (!branch) throw malformed(event, 'ref');
      const itemId = `${path}:${branch}`;
      // A push moves the project's last activity; the branch is new, moved or deleted.
      return [
        upsert('project', path),
        ZERO_SHA.test(text(body['after']))
          ? remove('branch', itemId, { name: branch, __project: path })
          : upsert('branch', itemId),
      ];
    }
    case 'Member Hook': {
      const group = id(body['group_id'], 'group_id');
      const user = id(body['user_id'], 'user_id');
      const name = text(body['event_name']);
      if (name === 'user_add_to_group' || name === 'user_update_for_group') {
        return [upsert('member', `${group}:${user}`), upsert('group-with-members', group)];
      }
      // The person may still be in another group: the member stays until a resync proves otherwise.
      if (name === 'user_remove_from_group') return [upsert('group-with-members', group)];
      return [];
    }
    case 'Project Hook': {
      const name = text(body['event_name']);
      const path = text(body['path_with_namespace']);
      if (!path) throw malformed(event, 'path_with_namespace');
      const project = (at: string): JsonObject => ({ path_with_namespace: at, name: text(body['name']) });
      if (name === 'project_destroy') return [remove('project', path, project(path))];
      const old = text(body['old_path_with_namespace']);
      return [upsert('project', path), ...(old && old !== path ? [remove('project', old, project(old))] : [])];
    }
    case 'Subgroup Hook': {
      const path = text(body['full_path']);
      if (!path) throw malformed(event, 'full_path');
      return body['event_name'] === 'subgroup_destroy'
        ? [remove('group', path, { full_path: path }), remove('group-with-members', path, { full_path: path })]
        : [upsert('group', path), upsert('group-with-members', path)];
    }
    default:
      return [];
  }
}

/** The default mapping's selector for a kind: what `fetchItem` applies when the caller gives none. */
function defaultSelector(kind: string): Record<string, unknown> {
  const resources = (gitlabDefaultMapping['resources'] ?? []) as JsonObject[];
  const found = resources.find((resource) => resource['kind'] === kind);
  const { query: _query, ...selector } = (found?.['selector'] ?? {}) as Record<string, unknown>;
  return selector;
}

const split = (itemId: string): [string, string] => {
  const at = itemId.indexOf(':');
  if (at <= 0 || at === itemId.length - 1) throw new DomainError('VALIDATION_FAILED', `"${itemId}" is not a GitLab item id`);
  return [itemId.slice(0, at), itemId.slice(at + 1)];
};

/**
 * One item in the shape its kind's extract yields it, or null when it is not in the sync's view:
 * gone at GitLab (404), or left out by the selector (an archived project, a merge request in a
 * state the selector does not sync), which is what the next resync would conclude.
 */
export async function fetchGitlabItem(
  connection: IntegrationConnection,
  kind: string,
  itemId: string,
  rawSelector?: Readonly<Record<string, unknown>>,
): Promise<JsonObject | null> {
  const client = gitlabItemClient(connection);
  const selector = rawSelector ?? defaultSelector(kind);
  const get = async (path: string, query: Record<string, string | number | undefined> = {}) => {
    const answer = await client.get(client.url(path, query));
    return answer && isObject(answer.body) ? answer.body : null;
  };
  const inProject = async (project: string, path: string) => {
    const item = await get(`/projects/${encoded(project)}${path}`);
    return item && withProject(item, project);
  };
  switch (kind) {
    case 'project': {
      const options = gitlabSelectors.project.parse(selector);
      const project = await get(`/projects/${encoded(itemId)}`);
      if (!project || (project['archived'] === true && !options.includeArchived) || !inScope(connection, project)) return null;
      return enrichProject(gitlabClient(connection), project, options);
    }
    case 'group':
    case 'group-with-members': {
      const group = await get(`/groups/${encoded(itemId)}`, { with_projects: 'false' });
      if (!group) return null;
      if (kind === 'group') return group;
      const options = gitlabSelectors['group-with-members'].parse(selector);
      return { ...group, __members: await groupMembers(gitlabClient(connection), text(group['full_path']), options) };
    }
    case 'member': {
      const [group, user] = split(itemId);
      const member = await get(`/groups/${encoded(group)}/members/all/${encoded(user)}`);
      const { includeBotMembers } = gitlabSelectors.member.parse(selector);
      return member && (includeBotMembers || !isBot(member)) ? member : null;
    }
    case 'merge-request': {
      const match = /^(.+)!(\d+)$/.exec(itemId);
      if (!match) throw new DomainError('VALIDATION_FAILED', `"${itemId}" is not a GitLab merge request id`);
      const mr = await inProject(match[1]!, `/merge_requests/${match[2]}`);
      const { states } = gitlabSelectors['merge-request'].parse(selector);
      return mr && states.includes(text(mr['state']) as (typeof states)[number]) ? mr : null;
    }
    case 'issue': {
      const match = /^(.+)#(\d+)$/.exec(itemId);
      if (!match) throw new DomainError('VALIDATION_FAILED', `"${itemId}" is not a GitLab issue id`);
      const issue = await inProject(match[1]!, `/issues/${match[2]}`);
      const { state } = gitlabSelectors.issue.parse(selector);
      return issue && (state === 'all' || issue['state'] === state) ? issue : null;
    }
    case 'pipeline':
    case 'job':
    case 'deployment':
    case 'environment': {
      const [project, id] = split(itemId);
      const collection = { pipeline: 'pipelines', job: 'jobs', deployment: 'deployments', environment: 'environments' }[kind];
      return inProject(project, `/${collection}/${encoded(id)}`);
    }
    case 'release':
      return inProject(...withRest(itemId, '/releases/'));
    case 'tag':
      return inProject(...withRest(itemId, '/repository/tags/'));
    case 'branch':
      return inProject(...withRest(itemId, '/repository/branches/'));
    default:
      throw new DomainError('VALIDATION_FAILED', `GitLab has no kind "${kind}"`);
  }
}

const withRest = (itemId: string, collection: string): [string, string] => {
  const [project, name] = split(itemId);
  return [project, `${collection}${encoded(name)}`];
};

/** Whether a project lies in the installation's group (or any, without one). */
function inScope(connection: IntegrationConnection, project: JsonObject): boolean {
  const group = scopeGroup(connection);
  if (!group) return true;
  const path = text(project['path_with_namespace']);
  return path.toLowerCase().startsWith(`${group.toLowerCase()}/`);
}

export const gitlabLiveEvents: LiveEventsDefinition = {
  async register(connection, hook) {
    const group = scopeGroup(connection);
    if (group) {
      const answer = await send(connection, 'POST', `/groups/${encoded(group)}/hooks`, hookBody(hook, true));
      if (answer.status === 201 && isObject(answer.body) && typeof answer.body['id'] === 'number') {
        return { reference: { scope: 'group', group, hookId: answer.body['id'] } };
      }
      // Group hooks need the Owner role and GitLab Premium: project hooks instead.
      if (!(answer.status === 403 && !isScopeRefusal(answer.body)) && answer.status !== 404) throw refusal(answer, group);
    }
    return registerProjectHooks(connection, hook);
  },
  async unregister(connection, registration) {
    const reference = registration.reference;
    if (reference['scope'] === 'group') {
      const answer = await send(
        connection,
        'DELETE',
        `/groups/${encoded(text(reference['group']))}/hooks/${Number(reference['hookId'])}`,
      );
      if (answer.status >= 300 && answer.status !== 404) throw refusal(answer, text(reference['group']));
      return;
    }
    const hooks = Array.isArray(reference['hooks']) ? (reference['hooks'] as unknown as ProjectHook[]) : [];
    await removeProjectHooks(connection, hooks);
  },
  verify(delivery, secrets) {
    const token = delivery.headers['x-gitlab-token'];
    if (!token) return { verified: false, reason: 'missing_signature' };
    if (!tokenMatches(secrets, token)) return { verified: false, reason: 'bad_signature' };
    const event = delivery.headers['x-gitlab-event'];
    if (!event) return { verified: false, reason: 'malformed' };
    // The same key across GitLab's retries of one delivery; older instances send only the webhook UUID.
    const deliveryId = delivery.headers['idempotency-key'] ?? delivery.headers['x-gitlab-webhook-uuid'] ?? null;
    return { verified: true, deliveryId, event };
  },
  changes: (delivery) => gitlabChanges(delivery.headers, delivery.body),
  fetchItem: (connection, kind, itemId, selector) => fetchGitlabItem(connection, kind, itemId, selector),
};
