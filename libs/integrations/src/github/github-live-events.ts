import { DomainError } from '@mooring/platform';
import type {
  DeliveryVerdict,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  LiveChange,
  LiveEventsDefinition,
  WebhookDelivery,
} from '../integration-definition.js';
import { hmacMatches } from '../toolkit/index.js';
import {
  githubAppAccessOf,
  githubAppInstallationOf,
  githubRegistersFor,
  installationRepositoryChanges,
} from './github-app-events.js';
import { githubApiBase } from './github-auth.js';
import { PER_PAGE, githubClient, githubListing } from './github-client.js';
import { githubKinds } from './github-kinds.js';
import { REPOSITORY_LIVE_KINDS, fetchRepositoryKindItem, repositoryKindChanges } from './github-repository-live-events.js';

// GitHub's webhooks (README.md, "Live events"): an organization webhook created with the token
// (it needs admin:org_hook), deliveries signed with `X-Hub-Signature-256` over the raw body and
// identified by `X-GitHub-Delivery` (the same on a redelivery). Items are made to look like what
// extract yields (`__repository`, `__organization`, `__members`), and re-read when the payload
// does not carry what the kind needs.

/** The events the organization webhook subscribes to. */
export const GITHUB_EVENTS = [
  'repository',
  'push',
  'pull_request',
  'issues',
  'release',
  'workflow_run',
  'deployment',
  'deployment_status',
  'team',
  'membership',
  'member',
  'organization',
  'create',
  'delete',
  'dependabot_alert',
  'code_scanning_alert',
] as const;

const obj = (value: JsonValue | undefined): JsonObject | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
const str = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const idOf = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;

function verify(delivery: WebhookDelivery, secrets: readonly string[]): DeliveryVerdict {
  const signature = delivery.headers['x-hub-signature-256'];
  if (!signature) return { verified: false, reason: 'missing_signature' };
  if (!hmacMatches({ algorithm: 'sha256', secrets, payload: delivery.rawBody, signatures: [signature], prefix: 'sha256=' })) {
    return { verified: false, reason: 'bad_signature' };
  }
  const event = delivery.headers['x-github-event'];
  if (!event) return { verified: false, reason: 'malformed' };
  return { verified: true, deliveryId: delivery.headers['x-github-delivery'] ?? null, event };
}

/** A change to an item of a per-repository kind, in extract's shape. */
function inRepository(
  kind: string,
  repository: string,
  object: JsonObject,
  key: string,
  action: 'upsert' | 'delete',
): LiveChange {
  const updated = str(object['updated_at']);
  return {
    kind,
    itemId: `${repository}#${key}`,
    action,
    item: { ...object, __repository: repository },
    ...(updated ? { version: updated } : {}),
  };
}

function changes({ headers, body }: { headers: WebhookDelivery['headers']; body: JsonValue }): readonly LiveChange[] {
  const payload = obj(body);
  if (!payload) throw new Error('the body is not a JSON object');
  const event = headers['x-github-event'];
  const action = str(payload['action']);
  const repository = obj(payload['repository']);
  const repoName = str(repository?.['full_name']);
  const org = str(obj(payload['organization'])?.['login']);
  switch (event) {
    case 'repository': {
      if (!repository || !repoName) return [];
      const updated = str(repository['updated_at']);
      return [
        {
          kind: 'repository',
          itemId: repoName,
          action: action === 'deleted' ? 'delete' : 'upsert',
          // A rename or transfer: the payload's object is whole; re-read anyway so the name is the current one.
          ...(action === 'renamed' || action === 'transferred' ? {} : { item: repository }),
          ...(updated ? { version: updated } : {}),
        },
      ];
    }
    case 'push': {
      // Only a push to the default branch changes the repository (pushed_at, size): re-read it.
      const onDefault = !!repoName && str(payload['ref']) === `refs/heads/${str(repository?.['default_branch']) ?? ''}`;
      return [
        ...(onDefault ? [{ kind: 'repository', itemId: repoName, action: 'upsert' } as const] : []),
        ...repositoryKindChanges(event, payload),
      ];
    }
    case 'pull_request': {
      const pr = obj(payload['pull_request']);
      const number = idOf(pr?.['number']);
      return pr && repoName && number ? [inRepository('pull-request', repoName, pr, number, 'upsert')] : [];
    }
    case 'issues': {
      const issue = obj(payload['issue']);
      const number = idOf(issue?.['number']);
      if (!issue || !repoName || !number) return [];
      return [
        inRepository('issue', repoName, issue, number, action === 'deleted' || action === 'transferred' ? 'delete' : 'upsert'),
      ];
    }
    case 'release': {
      const release = obj(payload['release']);
      const id = idOf(release?.['id']);
      return release && repoName && id
        ? [inRepository('release', repoName, release, id, action === 'deleted' ? 'delete' : 'upsert')]
        : [];
    }
    case 'workflow_run': {
      const run = obj(payload['workflow_run']);
      const id = idOf(run?.['id']);
      return run && repoName && id ? [inRepository('workflow-run', repoName, run, id, 'upsert')] : [];
    }
    case 'deployment':
    case 'deployment_status': {
      // A new status changes the deployment's `updated_at`: the deployment is re-read.
      const deployment = obj(payload['deployment']);
      const id = idOf(deployment?.['id']);
      if (!deployment || !repoName || !id) return [];
      return event === 'deployment'
        ? [inRepository('deployment', repoName, deployment, id, 'upsert')]
        : [{ kind: 'deployment', itemId: `${repoName}#${id}`, action: 'upsert' }, ...repositoryKindChanges(event, payload)];
    }
    case 'team':
    case 'membership': {
      // The team kind carries its members: re-read it (a deletion keeps the payload to find its entities).
      const team = obj(payload['team']);
      const slug = str(team?.['slug']);
      if (!team || !slug || !org) return [];
      const deleted = event === 'team' && action === 'deleted';
      return [
        {
          kind: 'team',
          itemId: `${org}/${slug}`,
          action: deleted ? 'delete' : 'upsert',
          ...(deleted ? { item: { ...team, __organization: org } } : {}),
        },
      ];
    }
    case 'organization': {
      if (!org) return [];
      const user = obj(obj(payload['membership'])?.['user']);
      const login = str(user?.['login']);
      if ((action === 'member_added' || action === 'member_removed') && user && login) {
        return [{ kind: 'user', itemId: `${org}/${login}`, action: action === 'member_added' ? 'upsert' : 'delete', item: user }];
      }
      if (action === 'deleted')
        return [{ kind: 'organization', itemId: org, action: 'delete', item: obj(payload['organization'])! }];
      if (action === 'renamed') return [{ kind: 'organization', itemId: org, action: 'upsert' }];
      return [];
    }
    case 'installation_repositories':
      return installationRepositoryChanges(payload);
    // Branches, tags, collaborators and alerts (github-repository-live-events.ts); `ping` and the rest: nothing.
    default:
      return repositoryKindChanges(event, payload);
  }
}

const repoPath = (repository: string) => `/repos/${repository.split('/').map(encodeURIComponent).join('/')}`;

/** `owner/repo#key` → the repository and the key. */
function splitItem(itemId: string): [string, string] {
  const at = itemId.lastIndexOf('#');
  if (at < 0) throw new DomainError('VALIDATION_FAILED', `Not an item id of a repository's item: ${itemId}`);
  return [itemId.slice(0, at), itemId.slice(at + 1)];
}

async function fetchItem(
  connection: IntegrationConnection,
  kind: string,
  itemId: string,
  selector?: Readonly<Record<string, unknown>>,
): Promise<JsonObject | null> {
  const client = githubClient(connection);
  const read = async (path: string) => {
    const answer = await client.get(client.url(path));
    return answer ? (obj(answer.body) ?? null) : null;
  };
  const inRepo = async (segment: string) => {
    const [repository, key] = splitItem(itemId);
    const item = await read(`${repoPath(repository)}/${segment}/${encodeURIComponent(key)}`);
    return item && { ...item, __repository: repository };
  };
  const definition = githubKinds[kind];
  if (definition && REPOSITORY_LIVE_KINDS.has(kind)) return fetchRepositoryKindItem(client, definition, kind, itemId, selector);
  switch (kind) {
    case 'repository':
      return read(repoPath(itemId));
    case 'pull-request':
      return inRepo('pulls');
    case 'issue': {
      const issue = await inRepo('issues');
      // A closed-as-transferred or deleted issue answers 404/410; a pull request is not an issue.
      return issue && !('pull_request' in issue) ? issue : null;
    }
    case 'release':
      return inRepo('releases');
    case 'workflow-run':
      return inRepo('actions/runs');
    case 'deployment':
      return inRepo('deployments');
    case 'organization':
      return read(`/orgs/${encodeURIComponent(itemId)}`);
    case 'team': {
      const [org, slug] = itemId.split('/') as [string, string];
      const team = await read(`/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(slug)}`);
      if (!team) return null;
      const members: JsonObject[] = [];
      const url = client.url(`/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(slug)}/members`, {
        per_page: PER_PAGE,
      });
      for await (const page of client.pages(url, githubListing())) members.push(...page);
      return { ...team, __organization: org, __members: members };
    }
    case 'user': {
      const [org, login] = itemId.split('/') as [string, string];
      // 204 for a member; 404 (or a redirect for a requester who is not a member) otherwise.
      const membership = await connection.fetch(
        client.url(`/orgs/${encodeURIComponent(org)}/members/${encodeURIComponent(login)}`),
        { headers: await githubHeaders(connection), redirect: 'manual', signal: connection.signal },
      );
      await membership.body?.cancel();
      if (membership.status !== 204) return null;
      return read(`/users/${encodeURIComponent(login)}`);
    }
    default:
      return null;
  }
}

async function githubHeaders(connection: IntegrationConnection): Promise<Record<string, string>> {
  return {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${await connection.accessToken()}`,
    'user-agent': 'mooring',
    'x-github-api-version': '2022-11-28',
  };
}

function organizationOf(connection: IntegrationConnection): string {
  const org = connection.settings['organization'];
  if (!org) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'GitHub webhooks are per organization: set the installation’s organization to receive live events',
      { fields: [{ field: 'settings.organization', message: 'is required for live events' }] },
    );
  }
  return org;
}

async function register(connection: IntegrationConnection, hook: { url: string; secret: string }) {
  const org = organizationOf(connection);
  const response = await connection.fetch(`${githubApiBase(connection.settings)}/orgs/${encodeURIComponent(org)}/hooks`, {
    method: 'POST',
    headers: { ...(await githubHeaders(connection)), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'web',
      active: true,
      events: GITHUB_EVENTS,
      config: { url: hook.url, content_type: 'json', secret: hook.secret, insecure_ssl: '0' },
    }),
    signal: connection.signal,
  });
  const text = await response.text();
  if (response.status === 201) {
    const created = JSON.parse(text) as JsonObject;
    return { reference: { hookId: created['id'] ?? null, organization: org } };
  }
  if (response.status === 403 || response.status === 404) {
    throw new DomainError(
      'CREDENTIALS_SCOPE_MISSING',
      `GitHub refused to create the organization webhook on ${org} (${response.status}): the token needs the admin:org_hook scope ` +
        '(a fine-grained token or App: "Organization webhooks: write") and an organization owner; live events are off until then',
      { scope: 'admin:org_hook', status: response.status },
    );
  }
  if (response.status === 401) throw new DomainError('CREDENTIALS_INVALID', 'GitHub rejected the token (401 Bad credentials)');
  throw new DomainError('UPSTREAM_FAILED', `GitHub answered ${response.status} when creating the organization webhook`, {
    status: response.status,
  });
}

async function unregister(connection: IntegrationConnection, registration: { reference: JsonObject }) {
  const org = str(registration.reference['organization']);
  const hookId = idOf(registration.reference['hookId']);
  if (!org || !hookId) return;
  const response = await connection.fetch(
    `${githubApiBase(connection.settings)}/orgs/${encodeURIComponent(org)}/hooks/${encodeURIComponent(hookId)}`,
    { method: 'DELETE', headers: await githubHeaders(connection), signal: connection.signal },
  );
  await response.body?.cancel();
  // Already gone is not an error.
  if (response.status !== 204 && response.status !== 404) {
    throw new DomainError('UPSTREAM_FAILED', `GitHub answered ${response.status} when deleting webhook ${hookId}`);
  }
}

export const githubLiveEvents: LiveEventsDefinition = {
  register,
  registersFor: githubRegistersFor,
  appInstallationOf: githubAppInstallationOf,
  appAccessOf: githubAppAccessOf,
  unregister,
  verify,
  changes,
  fetchItem,
};
