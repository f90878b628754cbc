import { z } from 'zod';
import type { IntegrationConnection, JsonObject, JsonValue, KindDefinition, Page } from '../integration-definition.js';
import { fanOut, flatten, limit, readAhead, rechunk, skippingItemFailures, type ToolClient } from '../toolkit/index.js';
import { isGithubApp } from './github-app.js';
import {
  MAX_IN_FLIGHT_PER_TOKEN,
  PER_PAGE,
  githubClient,
  githubListing,
  installationRepositories,
  itemsOf,
} from './github-client.js';
import { githubRepositoryKinds, type PerRepositoryTools } from './github-repository-kinds.js';
import { githubSecurityKinds } from './github-security-kinds.js';

// The GitHub kinds: each lists through the REST API (`per_page=100`, `Link` pagination, ETags),
// per repository or per organization with up to 10 listings at once, and streams pages of about
// 100 items to the engine. A repository whose listing GitHub refuses (e.g. a 403 for a token
// without access to it) is skipped and counted; the kind goes on. Items are GitHub's own objects;
// what Mooring adds starts with `__` (Ocean's convention): `__repository` (the repository's full
// name), `__organization` (a login), `__members` (a team's members).

const repositoryType = z.enum(['all', 'public', 'private', 'forks', 'sources', 'member']);
type RepositoryType = z.infer<typeof repositoryType>;

const perRepository = { repositoryType: repositoryType.default('all') };

const selectors = {
  repository: z.strictObject({ type: repositoryType.default('all') }),
  'pull-request': z.strictObject({
    ...perRepository,
    states: z
      .array(z.enum(['open', 'closed']))
      .min(1)
      .default(['open']),
    /** Closed pull requests per repository, most recently updated first. */
    maxResults: z.number().int().min(1).max(10_000).default(100),
    /** Closed pull requests updated within this many days. */
    since: z.number().int().min(1).max(3650).default(60),
  }),
  issue: z.strictObject({
    ...perRepository,
    state: z.enum(['open', 'closed', 'all']).default('open'),
    /** Comma-separated label names an issue must all have. */
    labels: z.string().min(1).optional(),
  }),
  team: z.strictObject({ members: z.boolean().default(true) }),
  workflow: z.strictObject(perRepository),
  'workflow-run': z.strictObject({
    ...perRepository,
    /** Latest runs per repository. */
    maxResults: z.number().int().min(1).max(1000).default(100),
    branch: z.string().min(1).optional(),
    status: z
      .enum([
        'completed',
        'action_required',
        'cancelled',
        'failure',
        'neutral',
        'skipped',
        'stale',
        'success',
        'timed_out',
        'in_progress',
        'queued',
        'requested',
        'waiting',
        'pending',
      ])
      .optional(),
  }),
  release: z.strictObject(perRepository),
  deployment: z.strictObject({
    ...perRepository,
    environment: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
  }),
} satisfies Record<string, z.ZodType>;

type Selector<K extends keyof typeof selectors> = z.infer<(typeof selectors)[K]>;

const ENGINE_PAGE = PER_PAGE;
/**
 * Listings run at once: twice the token's request slots. Between two requests a listing spends
 * time outside any slot (the response cache's lookup and store, parsing), so with only as many
 * listings as slots the slots idle; the client's budget still lets at most 10 requests out at once.
 */
const LISTINGS_AT_ONCE = 2 * MAX_IN_FLIGHT_PER_TOKEN;

/** The organizations to sync: the `organization` setting, or every one the token's user belongs to. */
async function* organizations(client: ToolClient, connection: IntegrationConnection): AsyncGenerator<string> {
  const only = connection.settings['organization'];
  if (only) {
    yield only;
    return;
  }
  if (isGithubApp(connection.settings)) {
    // An installation token cannot list /user/orgs: the organization is its repositories' owner.
    const seen = new Set<string>();
    for await (const repository of flatten(repositoryPages(client, connection, 'all'))) {
      const owner = repository['owner'] as JsonObject | undefined;
      const login = owner?.['type'] === 'Organization' ? owner['login'] : undefined;
      if (typeof login === 'string' && !seen.has(login)) {
        seen.add(login);
        yield login;
      }
    }
    return;
  }
  for await (const org of flatten(client.pages(client.url('/user/orgs', { per_page: PER_PAGE }), githubListing()))) {
    if (typeof org['login'] === 'string') yield org['login'];
  }
}

/** Repositories as GitHub lists them: the organization's, or every one the token can reach. */
function repositoryPages(
  client: ToolClient,
  connection: IntegrationConnection,
  type: RepositoryType,
): AsyncIterable<JsonObject[]> {
  if (isGithubApp(connection.settings)) return itemsOf(installationRepositories(client, type));
  const org = connection.settings['organization'];
  if (org)
    return client.pages(client.url(`/orgs/${encodeURIComponent(org)}/repos`, { type, per_page: PER_PAGE }), githubListing());
  // /user/repos knows no forks/sources type: list all and keep the forks or the sources.
  const userType = type === 'forks' || type === 'sources' ? 'all' : type === 'member' ? 'member' : type;
  const pages = client.pages(client.url('/user/repos', { type: userType, per_page: PER_PAGE }), githubListing());
  if (userType === type) return pages;
  const forks = type === 'forks';
  return (async function* () {
    for await (const page of pages) yield page.filter((repository) => repository['fork'] === forks);
  })();
}

/**
 * The repository names of each complete listing, per run (`runKey`) and repository type:
 * the per-repository kinds list them once per run instead of once each (20 sequential pages per
 * kind for 2,000 repositories). Only a listing read to its end is kept, so a failed or stopped one
 * is listed again by the next kind.
 */
const listedNames = new WeakMap<object, Map<RepositoryType, readonly string[]>>();

/** The pages of a repository listing, unchanged, with the names kept for the run once it has ended. */
async function* keepingNames<P>(
  connection: IntegrationConnection,
  type: RepositoryType,
  pages: AsyncIterable<P>,
  itemsIn: (page: P) => readonly JsonObject[],
): AsyncGenerator<P> {
  const names: string[] = [];
  for await (const page of pages) {
    for (const repository of itemsIn(page)) if (typeof repository['full_name'] === 'string') names.push(repository['full_name']);
    yield page;
  }
  if (!connection.runKey) return;
  const byType = listedNames.get(connection.runKey) ?? new Map<RepositoryType, readonly string[]>();
  listedNames.set(connection.runKey, byType.set(type, names));
}

async function* repositoryNames(
  client: ToolClient,
  connection: IntegrationConnection,
  type: RepositoryType,
): AsyncGenerator<string> {
  const listed = connection.runKey && listedNames.get(connection.runKey)?.get(type);
  if (listed) {
    yield* listed;
    return;
  }
  // The next page of names is fetched while this one's repositories are listed: no gap every 100.
  for await (const repository of flatten(
    readAhead(keepingNames(connection, type, repositoryPages(client, connection, type), (page) => page)),
  )) {
    if (typeof repository['full_name'] === 'string') yield repository['full_name'];
  }
}

/** A per-repository listing for every repository, enriched with `__repository`, in pages of ~100. */
function perRepositoryKind<S extends z.ZodType<{ repositoryType: RepositoryType }>>(
  title: string,
  selector: S,
  listing: (client: ToolClient, repository: string, options: z.infer<S>) => AsyncIterable<JsonObject[]>,
): KindDefinition {
  return {
    title,
    selector,
    extract(connection, raw): AsyncIterable<Page> {
      const options = selector.parse(raw);
      const client = githubClient(connection);
      const pages = fanOut(
        repositoryNames(client, connection, options.repositoryType),
        skippingItemFailures(
          connection,
          (repository) => repository,
          async function* (repository) {
            for await (const page of listing(client, repository, options)) {
              yield page.map((item) => ({ ...item, __repository: repository }));
            }
          },
        ),
        LISTINGS_AT_ONCE,
        // Listings run on while the engine writes, up to two engine pages of items.
        { weight: (page) => page.length, maxBuffered: 2 * ENGINE_PAGE },
      );
      return rechunk(pages, ENGINE_PAGE);
    },
  };
}

const text = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : '');

const repoPath = (repository: string, rest: string) => `/repos/${repository.split('/').map(encodeURIComponent).join('/')}${rest}`;

async function* pullRequests(client: ToolClient, repository: string, options: Selector<'pull-request'>) {
  if (options.states.includes('open')) {
    yield* client.pages(client.url(repoPath(repository, '/pulls'), { state: 'open', per_page: PER_PAGE }), githubListing());
  }
  if (options.states.includes('closed')) {
    // Most recently updated first, so the listing stops at the first page older than `since`.
    const after = Date.now() - options.since * 86_400_000;
    const closed = client.pages(
      client.url(repoPath(repository, '/pulls'), { state: 'closed', sort: 'updated', direction: 'desc', per_page: PER_PAGE }),
      githubListing(),
    );
    for await (const page of limit(closed, options.maxResults)) {
      const recent = page.filter((pr) => Date.parse(text(pr['updated_at'])) >= after);
      if (recent.length) yield recent;
      if (recent.length < page.length) return;
    }
  }
}

async function* issues(client: ToolClient, repository: string, options: Selector<'issue'>) {
  const url = client.url(repoPath(repository, '/issues'), { state: options.state, labels: options.labels, per_page: PER_PAGE });
  // GitHub lists pull requests as issues too; they are the pull-request kind.
  for await (const page of client.pages(url, githubListing())) yield page.filter((issue) => !('pull_request' in issue));
}

async function* teams(
  client: ToolClient,
  connection: IntegrationConnection,
  options: Selector<'team'>,
): AsyncGenerator<JsonObject[]> {
  const teamPages: AsyncIterable<JsonObject[]> = fanOut(
    organizations(client, connection),
    async function* (org) {
      const url = client.url(`/orgs/${encodeURIComponent(org)}/teams`, { per_page: PER_PAGE });
      for await (const page of client.pages(url, githubListing())) {
        yield page.map((team) => ({ ...team, __organization: org }));
      }
    },
    MAX_IN_FLIGHT_PER_TOKEN,
  );
  if (!options.members) {
    yield* teamPages;
    return;
  }
  yield* rechunk(
    fanOut(
      flatten(teamPages),
      async function* (team: JsonObject) {
        const members: JsonObject[] = [];
        const path = `/orgs/${encodeURIComponent(text(team['__organization']))}/teams/${encodeURIComponent(text(team['slug']))}/members`;
        const url = client.url(path, { per_page: PER_PAGE });
        for await (const page of client.pages(url, githubListing())) for (const member of page) members.push(member);
        yield [{ ...team, __members: members }];
      },
      MAX_IN_FLIGHT_PER_TOKEN,
    ),
    ENGINE_PAGE,
  );
}

export const githubKinds: Readonly<Record<string, KindDefinition>> = {
  organization: {
    title: 'Organizations',
    extract(connection) {
      const client = githubClient(connection);
      return rechunk(
        fanOut(
          organizations(client, connection),
          async function* (org) {
            const answer = await client.get(client.url(`/orgs/${encodeURIComponent(org)}`));
            if (answer && answer.body && typeof answer.body === 'object' && !Array.isArray(answer.body)) yield [answer.body];
          },
          MAX_IN_FLIGHT_PER_TOKEN,
        ),
        ENGINE_PAGE,
      );
    },
  },
  repository: {
    title: 'Repositories',
    selector: selectors.repository,
    extract(connection, raw) {
      const { type } = selectors.repository.parse(raw);
      const client = githubClient(connection);
      // An App installation's listing states its total: a short one deletes nothing.
      if (isGithubApp(connection.settings))
        return keepingNames(connection, type, installationRepositories(client, type), (page) => page.items);
      return keepingNames(connection, type, repositoryPages(client, connection, type), (page) => page);
    },
  },
  user: {
    title: 'Users (organization members)',
    extract(connection) {
      const client = githubClient(connection);
      return rechunk(
        fanOut(
          organizations(client, connection),
          (org) => client.pages(client.url(`/orgs/${encodeURIComponent(org)}/members`, { per_page: PER_PAGE }), githubListing()),
          MAX_IN_FLIGHT_PER_TOKEN,
        ),
        ENGINE_PAGE,
      );
    },
  },
  team: {
    title: 'Teams',
    selector: selectors.team,
    extract(connection, raw) {
      return teams(githubClient(connection), connection, selectors.team.parse(raw));
    },
  },
  'pull-request': perRepositoryKind('Pull requests', selectors['pull-request'], pullRequests),
  issue: perRepositoryKind('Issues', selectors.issue, issues),
  workflow: perRepositoryKind('Workflows', selectors.workflow, (client, repository) =>
    client.pages(client.url(repoPath(repository, '/actions/workflows'), { per_page: PER_PAGE }), githubListing('workflows')),
  ),
  'workflow-run': perRepositoryKind('Workflow runs', selectors['workflow-run'], (client, repository, options) =>
    limit(
      client.pages(
        client.url(repoPath(repository, '/actions/runs'), {
          branch: options.branch,
          status: options.status,
          per_page: Math.min(PER_PAGE, options.maxResults),
        }),
        githubListing('workflow_runs'),
      ),
      options.maxResults,
    ),
  ),
  release: perRepositoryKind('Releases', selectors.release, (client, repository) =>
    client.pages(client.url(repoPath(repository, '/releases'), { per_page: PER_PAGE }), githubListing()),
  ),
  deployment: perRepositoryKind('Deployments', selectors.deployment, (client, repository, options) =>
    client.pages(
      client.url(repoPath(repository, '/deployments'), {
        environment: options.environment,
        task: options.task,
        per_page: PER_PAGE,
      }),
      githubListing(),
    ),
  ),
  ...githubRepositoryKinds(perRepositoryTools()),
  ...githubSecurityKinds(perRepositoryTools()),
};

function perRepositoryTools(): PerRepositoryTools {
  return { perRepository: perRepositoryKind, repositoryType: repositoryType.default('all'), repoPath };
}
