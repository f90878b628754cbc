import { z } from 'zod';
import type {
  CountedPage,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  KindDefinition,
  Page,
} from '../integration-definition.js';
import { fanOut, limit, rechunk, skippingItemFailures, type ToolClient } from '../toolkit/index.js';
import { MAX_IN_FLIGHT_PER_TOKEN, PER_PAGE, gitlabClient, keysetListing, offsetListing } from './gitlab-client.js';

// The GitLab kinds. The `group` setting (a group's full path) limits a sync to that group and all
// its subgroups; without it, everything the token's user is a member of. Groups and projects are
// listed once; per-project kinds list each project with up to 10 listings at once, and a project
// whose listing GitLab refuses (a 403 where CI/CD is off or the role is too low, a 404 for what the
// token cannot see) is skipped and counted: the kind goes on, and the run deletes nothing. Merge
// requests and issues of a group come from the group's own listing (subgroups included): one
// listing, not one per project. Items are GitLab's own objects; what Mooring adds starts with `__`:
// `__project` (the project's `path_with_namespace`), `__group` (a group's `full_path`),
// `__languages`, `__files`, `__members`.

const days = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);

export const gitlabSelectors = {
  group: z.strictObject({}),
  project: z.strictObject({
    /** Add `__languages` ({"TypeScript": 81.4, …}) from the project's languages. */
    includeLanguages: z.boolean().default(false),
    /** Files read from each project's default branch into `__files` (path → content, null when absent). */
    includedFiles: z.array(z.string().min(1).max(1024)).max(10).default([]),
    includeArchived: z.boolean().default(false),
    /** Projects whose name or path contains this. */
    search: z.string().min(1).optional(),
  }),
  'merge-request': z.strictObject({
    states: z
      .array(z.enum(['opened', 'closed', 'merged', 'locked']))
      .min(1)
      .default(['opened']),
    /** Only merge requests updated within this many days. */
    updatedAfter: days(3650, 90),
  }),
  issue: z.strictObject({
    state: z.enum(['opened', 'closed', 'all']).default('opened'),
    updatedAfter: days(3650, 90),
    /** Comma-separated label names an issue must all have. */
    labels: z.string().min(1).optional(),
  }),
  pipeline: z.strictObject({
    /** Latest pipelines per project. */
    maxResults: z.number().int().min(1).max(1000).default(20),
    ref: z.string().min(1).optional(),
    status: z
      .enum([
        'created',
        'waiting_for_resource',
        'preparing',
        'pending',
        'running',
        'success',
        'failed',
        'canceling',
        'canceled',
        'skipped',
        'manual',
        'scheduled',
      ])
      .optional(),
  }),
  job: z.strictObject({
    /** Latest jobs per project. */
    maxResults: z.number().int().min(1).max(1000).default(50),
    scope: z
      .array(
        z.enum(['created', 'pending', 'running', 'failed', 'success', 'canceled', 'skipped', 'waiting_for_resource', 'manual']),
      )
      .optional(),
  }),
  deployment: z.strictObject({
    environment: z.string().min(1).optional(),
    status: z.enum(['created', 'running', 'success', 'failed', 'canceled', 'blocked']).optional(),
    updatedAfter: days(3650, 90),
  }),
  environment: z.strictObject({ states: z.enum(['available', 'stopping', 'stopped']).optional() }),
  release: z.strictObject({}),
  tag: z.strictObject({ search: z.string().min(1).optional() }),
  branch: z.strictObject({ search: z.string().min(1).optional() }),
  member: z.strictObject({
    /** Members inherited from parent groups and invited groups too (`/members/all`). */
    includeInheritedMembers: z.boolean().default(false),
    /** Group and project access tokens' bot users. */
    includeBotMembers: z.boolean().default(false),
  }),
  'group-with-members': z.strictObject({
    includeInheritedMembers: z.boolean().default(false),
    includeBotMembers: z.boolean().default(false),
  }),
} satisfies Record<string, z.ZodType>;

export type GitlabSelector<K extends keyof typeof gitlabSelectors> = z.infer<(typeof gitlabSelectors)[K]>;

const ENGINE_PAGE = PER_PAGE;

/** A path segment or an id as GitLab takes it in `:id` (`harbor%2Fpayments`). */
export const encoded = (value: string | number) => encodeURIComponent(String(value));
export const text = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : '');
const isoDaysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

/** The group the installation is limited to (its `group` setting), if any. */
export const scopeGroup = (connection: IntegrationConnection): string | undefined =>
  connection.settings['group']?.trim() || undefined;

/** Groups: the installation's group and all its descendants, or every group the user is a member of. */
async function* groupPages(client: ToolClient, connection: IntegrationConnection): AsyncGenerator<CountedPage> {
  const group = scopeGroup(connection);
  if (!group) {
    yield* client.countedPages(client.url('/groups', { min_access_level: 10, order_by: 'id', sort: 'asc' }), offsetListing());
    return;
  }
  const root = await client.get(client.url(`/groups/${encoded(group)}`, { with_projects: 'false' }));
  if (root && isObject(root.body)) yield { items: [root.body] };
  yield* client.countedPages(
    client.url(`/groups/${encoded(group)}/descendant_groups`, { order_by: 'id', sort: 'asc' }),
    offsetListing(),
  );
}

/**
 * Projects: the group's and its subgroups' (offset paging: GitLab has no keyset for them), or,
 * without a group, every project the user is a member of (keyset paging by id).
 */
function projectPages(
  client: ToolClient,
  connection: IntegrationConnection,
  options: { includeArchived?: boolean; search?: string | undefined } = {},
): AsyncIterable<CountedPage> {
  const archived = options.includeArchived ? undefined : 'false';
  const group = scopeGroup(connection);
  if (group) {
    return client.countedPages(
      client.url(`/groups/${encoded(group)}/projects`, {
        include_subgroups: 'true',
        with_shared: 'false',
        archived,
        search: options.search,
        order_by: 'id',
        sort: 'asc',
      }),
      offsetListing(),
    );
  }
  return client.countedPages(
    client.url('/projects', {
      membership: 'true',
      archived,
      search: options.search,
      pagination: 'keyset',
      order_by: 'id',
      sort: 'asc',
      per_page: PER_PAGE,
    }),
    keysetListing(),
  );
}

export async function* projectPaths(client: ToolClient, connection: IntegrationConnection): AsyncGenerator<string> {
  for await (const page of projectPages(client, connection)) {
    for (const project of page.items)
      if (typeof project['path_with_namespace'] === 'string') yield project['path_with_namespace'];
  }
}

/** A per-project listing for every project, each item with `__project`, in pages of ~100. */
function perProjectKind<S extends z.ZodType>(
  title: string,
  selector: S,
  listing: (client: ToolClient, project: string, options: z.infer<S>) => AsyncIterable<JsonObject[]>,
  byGroup?: (client: ToolClient, group: string, options: z.infer<S>) => AsyncIterable<JsonObject[]>,
): KindDefinition {
  return {
    title,
    selector,
    extract(connection, raw): AsyncIterable<Page> {
      const options = selector.parse(raw);
      const client = gitlabClient(connection);
      const group = scopeGroup(connection);
      if (group && byGroup) return byGroup(client, group, options);
      const pages = fanOut(
        projectPaths(client, connection),
        skippingItemFailures(
          connection,
          (project) => project,
          async function* (project) {
            for await (const page of listing(client, project, options)) yield page.map((item) => withProject(item, project));
          },
        ),
        MAX_IN_FLIGHT_PER_TOKEN,
      );
      return rechunk(pages, ENGINE_PAGE);
    },
  };
}

export const withProject = (item: JsonObject, project: string): JsonObject => ({ ...item, __project: project });

/** The project of a merge request or issue from its full reference (`harbor/api!12`, `harbor/api#7`). */
export const referencedProject = (item: JsonObject): string | undefined => {
  const references = item['references'];
  const full = isObject(references ?? null) ? text((references as JsonObject)['full']) : '';
  const match = /^(.+)[!#]\d+$/.exec(full);
  return match?.[1];
};

const projectPath = (project: string, rest: string) => `/projects/${encoded(project)}${rest}`;

export function mergeRequestQuery(options: GitlabSelector<'merge-request'>, state: string) {
  return { state, updated_after: isoDaysAgo(options.updatedAfter), order_by: 'updated_at', sort: 'desc', scope: 'all' };
}

async function* mergeRequests(
  client: ToolClient,
  base: string,
  options: GitlabSelector<'merge-request'>,
): AsyncGenerator<JsonObject[]> {
  for (const state of options.states) {
    for await (const page of client.pages(
      client.url(`${base}/merge_requests`, mergeRequestQuery(options, state)),
      offsetListing(),
    )) {
      yield page.map((mr) => withProject(mr, referencedProject(mr) ?? ''));
    }
  }
}

async function* issues(client: ToolClient, base: string, options: GitlabSelector<'issue'>): AsyncGenerator<JsonObject[]> {
  const query = {
    state: options.state === 'all' ? undefined : options.state,
    labels: options.labels,
    updated_after: isoDaysAgo(options.updatedAfter),
    order_by: 'updated_at',
    sort: 'desc',
    scope: 'all',
  };
  for await (const page of client.pages(client.url(`${base}/issues`, query), offsetListing())) {
    yield page.map((issue) => withProject(issue, referencedProject(issue) ?? ''));
  }
}

/** A project with its languages and chosen files, as the project kind yields it. */
export async function enrichProject(
  client: ToolClient,
  project: JsonObject,
  options: GitlabSelector<'project'>,
): Promise<JsonObject> {
  const path = text(project['path_with_namespace']);
  const ref = text(project['default_branch']);
  const readable = ref !== '' && project['empty_repo'] !== true;
  // The languages and every file at once (the token's budget still caps requests in flight).
  const [languages, ...files] = await Promise.all([
    options.includeLanguages ? client.get(client.url(projectPath(path, '/languages'))) : null,
    ...options.includedFiles.map((file) => (readable ? readFile(client, path, file, ref) : null)),
  ]);
  const enriched: JsonObject = { ...project };
  if (options.includeLanguages) enriched['__languages'] = languages && isObject(languages.body) ? languages.body : {};
  if (options.includedFiles.length)
    enriched['__files'] = Object.fromEntries(options.includedFiles.map((file, i) => [file, files[i] ?? null]));
  return enriched;
}

/** A file's text on a branch; null when the project has no such file. */
async function readFile(client: ToolClient, project: string, file: string, ref: string): Promise<string | null> {
  const url = client.url(projectPath(project, `/repository/files/${encoded(file)}`), { ref });
  try {
    const answer = await client.get(url);
    const content = answer && isObject(answer.body) ? answer.body['content'] : undefined;
    return typeof content === 'string' ? Buffer.from(content, 'base64').toString('utf8') : null;
  } catch (error) {
    if ((error as { details?: Record<string, unknown> }).details?.['status'] === 404) return null;
    throw error;
  }
}

/** Members of a group as the member kinds read them, bots left out unless asked for. */
export async function groupMembers(
  client: ToolClient,
  group: string,
  options: { includeInheritedMembers: boolean; includeBotMembers: boolean },
): Promise<JsonObject[]> {
  const members: JsonObject[] = [];
  const path = `/groups/${encoded(group)}/members${options.includeInheritedMembers ? '/all' : ''}`;
  for await (const page of client.pages(client.url(path), offsetListing())) {
    for (const member of page) if (options.includeBotMembers || !isBot(member)) members.push(member);
  }
  return members;
}

/** GitLab names access tokens' bot users `project_<id>_bot_…` / `group_<id>_bot_…`. */
export const isBot = (member: JsonObject) => member['bot'] === true || /^(project|group)_\d+_bot/.test(text(member['username']));

/** A list as the async iterable `fanOut` takes. */
export function each<T>(items: readonly T[]): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      let next = 0;
      return {
        next: () =>
          Promise.resolve(
            next < items.length ? { value: items[next++]!, done: false } : ({ value: undefined, done: true } as const),
          ),
      };
    },
  };
}

function groupsAsItems(pages: AsyncIterable<CountedPage>): AsyncIterable<JsonObject> {
  return (async function* () {
    for await (const page of pages) yield* page.items;
  })();
}

export const gitlabKinds: Readonly<Record<string, KindDefinition>> = {
  group: {
    title: 'Groups (with subgroups)',
    selector: gitlabSelectors.group,
    extract: (connection) => groupPages(gitlabClient(connection), connection),
  },
  project: {
    title: 'Projects',
    selector: gitlabSelectors.project,
    extract(connection, raw) {
      const options = gitlabSelectors.project.parse(raw);
      const client = gitlabClient(connection);
      const pages = projectPages(client, connection, options);
      if (!options.includeLanguages && !options.includedFiles.length) return pages;
      return (async function* () {
        for await (const page of pages) {
          // Languages and files of a page's projects, 10 at once. A project whose languages or files
          // GitLab refuses is skipped and counted (its entity stays as it was; nothing is deleted).
          const items: JsonObject[] = [];
          const enrich = skippingItemFailures(
            connection,
            (project: JsonObject) => text(project['path_with_namespace']),
            async function* (project: JsonObject) {
              yield [await enrichProject(client, project, options)];
            },
          );
          for await (const done of fanOut(each(page.items), enrich, MAX_IN_FLIGHT_PER_TOKEN)) items.push(...done);
          const total = items.length === page.items.length ? page.total : undefined;
          yield total === undefined ? { items } : { items, total };
        }
      })();
    },
  },
  'merge-request': perProjectKind(
    'Merge requests',
    gitlabSelectors['merge-request'],
    (client, project, options) => mergeRequests(client, projectPath(project, ''), options),
    (client, group, options) => mergeRequests(client, `/groups/${encoded(group)}`, options),
  ),
  issue: perProjectKind(
    'Issues',
    gitlabSelectors.issue,
    (client, project, options) => issues(client, projectPath(project, ''), options),
    (client, group, options) => issues(client, `/groups/${encoded(group)}`, options),
  ),
  pipeline: perProjectKind('Pipelines', gitlabSelectors.pipeline, (client, project, options) =>
    limit(
      client.pages(
        client.url(projectPath(project, '/pipelines'), {
          ref: options.ref,
          status: options.status,
          order_by: 'id',
          sort: 'desc',
        }),
        offsetListing(),
      ),
      options.maxResults,
    ),
  ),
  job: perProjectKind('Jobs', gitlabSelectors.job, (client, project, options) => {
    const url = new URL(
      client.url(projectPath(project, '/jobs'), { pagination: 'keyset', order_by: 'id', sort: 'desc', per_page: PER_PAGE }),
    );
    for (const scope of options.scope ?? []) url.searchParams.append('scope[]', scope);
    return limit(client.pages(url, keysetListing()), options.maxResults);
  }),
  deployment: perProjectKind('Deployments', gitlabSelectors.deployment, (client, project, options) =>
    client.pages(
      client.url(projectPath(project, '/deployments'), {
        environment: options.environment,
        status: options.status,
        updated_after: isoDaysAgo(options.updatedAfter),
        order_by: 'updated_at',
        sort: 'desc',
      }),
      offsetListing(),
    ),
  ),
  environment: perProjectKind('Environments', gitlabSelectors.environment, (client, project, options) =>
    client.pages(client.url(projectPath(project, '/environments'), { states: options.states }), offsetListing()),
  ),
  release: perProjectKind('Releases', gitlabSelectors.release, (client, project) =>
    client.pages(client.url(projectPath(project, '/releases'), { order_by: 'released_at', sort: 'desc' }), offsetListing()),
  ),
  tag: perProjectKind('Tags', gitlabSelectors.tag, (client, project, options) =>
    client.pages(client.url(projectPath(project, '/repository/tags'), { search: options.search }), offsetListing()),
  ),
  branch: perProjectKind('Branches', gitlabSelectors.branch, (client, project, options) =>
    client.pages(client.url(projectPath(project, '/repository/branches'), { search: options.search }), offsetListing()),
  ),
  member: {
    title: 'Members (users of the groups)',
    selector: gitlabSelectors.member,
    extract(connection, raw) {
      const options = gitlabSelectors.member.parse(raw);
      const client = gitlabClient(connection);
      const seen = new Set<JsonValue | undefined>();
      const pages = fanOut(
        groupsAsItems(groupPages(client, connection)),
        async function* (group) {
          // A person in several groups is one member: the first group's record of them.
          const members = (await groupMembers(client, text(group['full_path']), options)).filter((member) => {
            if (seen.has(member['id'])) return false;
            seen.add(member['id']);
            return true;
          });
          if (members.length) yield members;
        },
        MAX_IN_FLIGHT_PER_TOKEN,
      );
      return rechunk(pages, ENGINE_PAGE);
    },
  },
  'group-with-members': {
    title: 'Groups with their members',
    selector: gitlabSelectors['group-with-members'],
    extract(connection, raw) {
      const options = gitlabSelectors['group-with-members'].parse(raw);
      const client = gitlabClient(connection);
      return rechunk(
        fanOut(
          groupsAsItems(groupPages(client, connection)),
          async function* (group) {
            yield [{ ...group, __members: await groupMembers(client, text(group['full_path']), options) }];
          },
          MAX_IN_FLIGHT_PER_TOKEN,
        ),
        ENGINE_PAGE,
      );
    },
  },
};

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
