import type { z } from 'zod';
import { DomainError } from '@mooring/platform';
import type { JsonObject, JsonValue, KindDefinition, LiveChange } from '../integration-definition.js';
import { limit, type ToolClient } from '../toolkit/index.js';
import { PER_PAGE, githubListing } from './github-client.js';
import { MAX_STATUSES_PER_DEPLOYMENT, latestDeployments, readFile, type repositorySelectors } from './github-repository-kinds.js';
import { isFeatureOff, type securitySelectors } from './github-security-kinds.js';

// Live events of the per-repository kinds of github-repository-kinds.ts and github-security-kinds.ts
// (README.md, "Live events"). Item ids are `owner/repo#key` (a repository's full name never holds
// a `#`; a branch name may). Items are re-read through the installation's selector for the kind,
// so a live event keeps what the next resync would keep: an item outside the selector reads as
// gone, and a deletion stands only when that read finds nothing.

type Selectors = ReturnType<typeof repositorySelectors> & ReturnType<typeof securitySelectors>;
type Options<K extends keyof Selectors> = z.infer<Selectors[K]>;

const obj = (value: JsonValue | undefined): JsonObject | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
const str = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const idOf = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;

const upsert = (kind: string, repository: string, key: string, version?: string): LiveChange => ({
  kind,
  itemId: `${repository}#${key}`,
  action: 'upsert',
  ...(version ? { version } : {}),
});
/** A deletion carries enough of the item for the mapping to find its entities by. */
const deletion = (kind: string, repository: string, key: string, item: JsonObject): LiveChange => ({
  kind,
  itemId: `${repository}#${key}`,
  action: 'delete',
  item: { ...item, __repository: repository },
});

/** A ref's branch or tag change: `refs/heads/x` or `refs/tags/x` (push), or a short name with its `ref_type` (create, delete). */
function refChange(repository: string, kindOfRef: string | undefined, name: string, deleted: boolean): LiveChange[] {
  const kind = kindOfRef === 'branch' ? 'branch' : kindOfRef === 'tag' ? 'tag' : undefined;
  if (!kind || !name) return [];
  return [deleted ? deletion(kind, repository, name, { name }) : upsert(kind, repository, name)];
}

/** Files a push to the default branch changed, in commit order: the last change of a path wins. */
function fileChanges(repository: string, commits: JsonValue | undefined): LiveChange[] {
  const last = new Map<string, 'upsert' | 'delete'>();
  for (const commit of Array.isArray(commits) ? commits : []) {
    const lists: Array<['added' | 'modified' | 'removed', 'upsert' | 'delete']> = [
      ['added', 'upsert'],
      ['modified', 'upsert'],
      ['removed', 'delete'],
    ];
    for (const [key, action] of lists) {
      const paths = obj(commit)?.[key];
      for (const path of Array.isArray(paths) ? paths : []) if (typeof path === 'string') last.set(path, action);
    }
  }
  return [...last].map(([path, action]) =>
    action === 'delete' ? deletion('file', repository, path, { path }) : upsert('file', repository, path),
  );
}

/** An alert: kept while GitHub says it is open, otherwise a deletion the re-read confirms (or keeps, if the selector lists that state). */
function alertChange(kind: string, repository: string, alert: JsonObject | undefined): LiveChange[] {
  const number = idOf(alert?.['number']);
  if (!alert || !number) return [];
  const updated = str(alert['updated_at']);
  if (alert['state'] === 'open') return [upsert(kind, repository, number, updated)];
  return [{ ...deletion(kind, repository, number, alert), ...(updated ? { version: updated } : {}) }];
}

/** The changes an event makes to the per-repository kinds; [] for events that touch none of them. */
export function repositoryKindChanges(event: string | undefined, payload: JsonObject): LiveChange[] {
  const repository = obj(payload['repository']);
  const repoName = str(repository?.['full_name']);
  if (!repoName) return [];
  switch (event) {
    case 'push': {
      const ref = str(payload['ref']) ?? '';
      const deleted = payload['deleted'] === true;
      const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
      const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
      const refs =
        branch !== undefined ? refChange(repoName, 'branch', branch, deleted) : refChange(repoName, 'tag', tag ?? '', deleted);
      const onDefault = branch !== undefined && branch === str(repository?.['default_branch']) && !deleted;
      return [...refs, ...(onDefault ? fileChanges(repoName, payload['commits']) : [])];
    }
    case 'create':
    case 'delete':
      return refChange(repoName, str(payload['ref_type']), str(payload['ref']) ?? '', event === 'delete');
    case 'deployment_status': {
      const status = obj(payload['deployment_status']);
      const deployment = idOf(obj(payload['deployment'])?.['id']);
      const id = idOf(status?.['id']);
      return status && deployment && id
        ? [upsert('deployment-status', repoName, `${deployment}/${id}`, str(status['updated_at']))]
        : [];
    }
    case 'member': {
      const member = obj(payload['member']);
      const login = str(member?.['login']);
      if (!member || !login) return [];
      return [
        payload['action'] === 'removed'
          ? deletion('collaborator', repoName, login, member)
          : upsert('collaborator', repoName, login),
      ];
    }
    case 'dependabot_alert':
      return alertChange('dependabot-alert', repoName, obj(payload['alert']));
    case 'code_scanning_alert':
      return alertChange('code-scanning-alert', repoName, obj(payload['alert']));
    default:
      return [];
  }
}

/** `owner/repo#key` → the repository and the key (which may itself hold a `#`). */
function splitItem(itemId: string): [string, string] {
  const at = itemId.indexOf('#');
  if (at < 0) throw new DomainError('VALIDATION_FAILED', `Not an item id of a repository's item: ${itemId}`);
  return [itemId.slice(0, at), itemId.slice(at + 1)];
}

const repoPath = (repository: string, rest: string) => `/repos/${repository.split('/').map(encodeURIComponent).join('/')}${rest}`;
const segments = (path: string) => path.split('/').map(encodeURIComponent).join('/');

async function findIn(pages: AsyncIterable<JsonObject[]>, matches: (item: JsonObject) => boolean): Promise<JsonObject | null> {
  for await (const page of pages) {
    const found = page.find(matches);
    if (found) return found;
  }
  return null;
}

async function readObject(client: ToolClient, path: string): Promise<JsonObject | null> {
  const answer = await client.get(client.url(path));
  return obj(answer?.body) ?? null;
}

/** A single alert, or null when it is not there or the feature is switched off (GitHub then shows no alerts). */
async function readAlert(client: ToolClient, path: string): Promise<JsonObject | null> {
  try {
    return await readObject(client, path);
  } catch (error) {
    if (isFeatureOff(error)) return null;
    throw error;
  }
}

/** Kinds whose items `fetchRepositoryKindItem` reads. */
export const REPOSITORY_LIVE_KINDS = new Set([
  'branch',
  'tag',
  'file',
  'collaborator',
  'deployment-status',
  'dependabot-alert',
  'code-scanning-alert',
]);

/**
 * The item as the kind's extract yields it under `selector`, or null: gone at GitHub, or outside
 * what the selector lists (the next resync would delete it too).
 */
export async function fetchRepositoryKindItem(
  client: ToolClient,
  definition: KindDefinition,
  kind: string,
  itemId: string,
  selector: Readonly<Record<string, unknown>> = {},
): Promise<JsonObject | null> {
  const [repository, key] = splitItem(itemId);
  const options = (definition.selector?.parse(selector) ?? {}) as Record<string, unknown>;
  const list = (path: string, query: Record<string, string | undefined> = {}) =>
    client.pages(client.url(repoPath(repository, path), { ...query, per_page: PER_PAGE }), githubListing());
  const found = await (async (): Promise<JsonObject | null> => {
    switch (kind) {
      case 'branch': {
        const { protected: only } = options as Options<'branch'>;
        const branch = await readObject(client, repoPath(repository, `/branches/${segments(key)}`));
        return branch && (only === undefined || branch['protected'] === only) ? branch : null;
      }
      case 'tag':
        // GitHub has no single read in the listing's shape (name, commit, tarball): the listing is searched.
        return findIn(list('/tags'), (tag) => tag['name'] === key);
      case 'collaborator': {
        const { affiliation } = options as Options<'collaborator'>;
        return findIn(list('/collaborators', { affiliation }), (person) => person['login'] === key);
      }
      case 'file': {
        const { paths, maxBytes } = options as Options<'file'>;
        return paths.includes(key) ? readFile(client, repository, key, maxBytes, repoPath) : null;
      }
      case 'deployment-status':
        return deploymentStatus(client, repository, key, options as Options<'deployment-status'>);
      case 'dependabot-alert': {
        const { states, severities } = options as Options<'dependabot-alert'>;
        const alert = await readAlert(client, repoPath(repository, `/dependabot/alerts/${encodeURIComponent(key)}`));
        const severity = str(obj(alert?.['security_advisory'])?.['severity']);
        return alert && states.includes(alert['state'] as never) && (!severities || severities.includes(severity as never))
          ? alert
          : null;
      }
      case 'code-scanning-alert': {
        const { state } = options as Options<'code-scanning-alert'>;
        const alert = await readAlert(client, repoPath(repository, `/code-scanning/alerts/${encodeURIComponent(key)}`));
        return alert && alert['state'] === state ? alert : null;
      }
      default:
        return null;
    }
  })();
  return found && { ...found, __repository: repository };
}

/** A status of one of the latest deployments the selector reads (`deployment/status` ids), as extract yields it. */
async function deploymentStatus(
  client: ToolClient,
  repository: string,
  key: string,
  options: Options<'deployment-status'>,
): Promise<JsonObject | null> {
  const [deploymentId, statusId] = key.split('/');
  if (!deploymentId || !statusId) return null;
  const latest = latestDeployments(client, repository, options, repoPath);
  const deployment = await findIn(latest, (d) => idOf(d['id']) === deploymentId);
  if (!deployment) return null;
  const statuses = limit(
    client.pages(
      client.url(repoPath(repository, `/deployments/${encodeURIComponent(deploymentId)}/statuses`), { per_page: PER_PAGE }),
      githubListing(),
    ),
    MAX_STATUSES_PER_DEPLOYMENT,
  );
  const status = await findIn(statuses, (s) => idOf(s['id']) === statusId);
  return status && { ...status, __deployment: deployment['id'] ?? null, __ref: deployment['ref'] ?? null };
}
