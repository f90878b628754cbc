import { z } from 'zod';
import type { JsonObject, JsonValue, KindDefinition } from '../integration-definition.js';
import { limit, paging, type ToolClient } from '../toolkit/index.js';
import { PER_PAGE, githubListing } from './github-client.js';

// GitHub kinds read per repository beside the pull requests and issues of github-kinds.ts: its
// branches, tags, environments, collaborators, the statuses of its latest deployments, its
// Dependabot and code scanning alerts, and the contents of chosen files. github-kinds.ts hands in
// how a per-repository kind is built (every repository, 10 listings at once, a refused repository
// skipped and counted), so these read like the kinds there.

/** Which repositories a per-repository kind reads (the repository kind's `type`). */
export type RepositoryTypeSchema = z.ZodDefault<z.ZodEnum<{ [K in RepositoryType]: K }>>;
type RepositoryType = 'all' | 'public' | 'private' | 'forks' | 'sources' | 'member';

/** What github-kinds.ts lends: its per-repository kind builder, the repository type selector, the path of a repository. */
export interface PerRepositoryTools {
  readonly perRepository: <S extends z.ZodType<{ repositoryType: RepositoryType }>>(
    title: string,
    selector: S,
    listing: (client: ToolClient, repository: string, options: z.infer<S>) => AsyncIterable<JsonObject[]>,
  ) => KindDefinition;
  readonly repositoryType: RepositoryTypeSchema;
  readonly repoPath: (repository: string, rest: string) => string;
}

/** A file path as the selector names it: relative to the repository's root, no `..`, no empty segment. */
const filePath = z
  .string()
  .min(1)
  .max(255)
  .refine((path) => path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'), {
    message: 'must be a path inside the repository, such as README.md or .github/CODEOWNERS (no leading /, no . or .. segments)',
  });

export function repositorySelectors(repositoryType: RepositoryTypeSchema) {
  const perRepository = { repositoryType };
  return {
    branch: z.strictObject({
      ...perRepository,
      /** Only protected branches (true), only unprotected ones (false), or every branch (absent). */
      protected: z.boolean().optional(),
    }),
    tag: z.strictObject(perRepository),
    environment: z.strictObject(perRepository),
    collaborator: z.strictObject({
      ...perRepository,
      affiliation: z.enum(['outside', 'direct', 'all']).default('all'),
    }),
    'deployment-status': z.strictObject({
      ...perRepository,
      /** The latest deployments per repository whose statuses are read (GitHub lists newest first). */
      maxDeployments: z.number().int().min(1).max(100).default(10),
      environment: z.string().min(1).optional(),
    }),
    file: z.strictObject({
      ...perRepository,
      /** Paths read in every repository; a repository without one of them simply has no such file. */
      paths: z.array(filePath).min(1).max(20).default(['README.md', 'CODEOWNERS']),
      /** Files larger than this keep their metadata but not their content. */
      maxBytes: z.number().int().min(1).max(1_000_000).default(100_000),
    }),
  };
}

type Selectors = ReturnType<typeof repositorySelectors>;
type Selector<K extends keyof Selectors> = z.infer<Selectors[K]>;

/** Statuses of one deployment read at most (GitHub keeps every status a deployment went through). */
export const MAX_STATUSES_PER_DEPLOYMENT = 100;

/** The latest deployments whose statuses the deployment-status kind reads (GitHub lists newest first). */
export function latestDeployments(
  client: ToolClient,
  repository: string,
  options: Pick<Selector<'deployment-status'>, 'environment' | 'maxDeployments'>,
  repoPath: PerRepositoryTools['repoPath'],
): AsyncIterable<JsonObject[]> {
  return limit(
    client.pages(
      client.url(repoPath(repository, '/deployments'), {
        environment: options.environment,
        per_page: Math.min(PER_PAGE, options.maxDeployments),
      }),
      githubListing(),
    ),
    options.maxDeployments,
  );
}

async function* deploymentStatuses(
  client: ToolClient,
  repository: string,
  options: Selector<'deployment-status'>,
  repoPath: PerRepositoryTools['repoPath'],
): AsyncGenerator<JsonObject[]> {
  const deployments = latestDeployments(client, repository, options, repoPath);
  for await (const page of deployments) {
    for (const deployment of page) {
      const id = deployment['id'];
      if (typeof id !== 'number') continue;
      const statuses = limit(
        client.pages(
          client.url(repoPath(repository, `/deployments/${id}/statuses`), {
            per_page: PER_PAGE,
          }),
          githubListing(),
        ),
        MAX_STATUSES_PER_DEPLOYMENT,
      );
      for await (const statusPage of statuses) {
        yield statusPage.map((status) => ({
          ...status,
          __deployment: id,
          __ref: deployment['ref'] ?? null,
        }));
      }
    }
  }
}

/** The text of a file GitHub inlined (base64, with newlines), or null: too large, not inlined, or not UTF-8. */
export function fileText(file: JsonObject, maxBytes: number): string | null {
  const size = file['size'];
  if (typeof size !== 'number' || size > maxBytes) return null;
  if (file['encoding'] !== 'base64' || typeof file['content'] !== 'string') return null;
  const bytes = Buffer.from(file['content'], 'base64');
  if (bytes.length > maxBytes) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * One file of a repository as the file kind yields it (metadata, `__content`, `__truncated`), or
 * null: a missing file (or an empty repository) is a 404, and a directory, submodule or symlink is
 * not a file.
 */
export async function readFile(
  client: ToolClient,
  repository: string,
  path: string,
  maxBytes: number,
  repoPath: PerRepositoryTools['repoPath'],
): Promise<JsonObject | null> {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  const answer = await client.get(client.url(repoPath(repository, `/contents/${encoded}`)));
  const body: JsonValue | undefined = answer?.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body['type'] !== 'file') return null;
  const { content: _base64, encoding: _encoding, ...metadata } = body;
  const content = fileText(body, maxBytes);
  return { ...metadata, __content: content, __truncated: content === null };
}

async function* files(
  client: ToolClient,
  repository: string,
  options: Selector<'file'>,
  repoPath: PerRepositoryTools['repoPath'],
): AsyncGenerator<JsonObject[]> {
  const found: JsonObject[] = [];
  for (const path of options.paths) {
    const file = await readFile(client, repository, path, options.maxBytes, repoPath);
    if (file) found.push(file);
  }
  if (found.length) yield found;
}

export function githubRepositoryKinds(tools: PerRepositoryTools): Record<string, KindDefinition> {
  const { perRepository, repoPath } = tools;
  const selectors = repositorySelectors(tools.repositoryType);
  const list = (client: ToolClient, repository: string, path: string, query: Record<string, string | undefined> = {}) =>
    client.pages(client.url(repoPath(repository, path), { ...query, per_page: PER_PAGE }), githubListing());
  return {
    branch: perRepository('Branches', selectors.branch, (client, repository, options) =>
      list(client, repository, '/branches', {
        protected: options.protected === undefined ? undefined : String(options.protected),
      }),
    ),
    tag: perRepository('Tags', selectors.tag, (client, repository) => list(client, repository, '/tags')),
    // Environments come wrapped (`{total_count, environments}`) and without a Link header: pages
    // are read until one is short.
    environment: perRepository('Environments', selectors.environment, (client, repository) =>
      client.pages(
        client.url(repoPath(repository, '/environments')),
        paging.pageNumber({ size: PER_PAGE, itemsKey: 'environments' }),
      ),
    ),
    collaborator: perRepository('Collaborators', selectors.collaborator, (client, repository, options) =>
      list(client, repository, '/collaborators', { affiliation: options.affiliation }),
    ),
    'deployment-status': perRepository('Deployment statuses', selectors['deployment-status'], (client, repository, options) =>
      deploymentStatuses(client, repository, options, repoPath),
    ),
    file: perRepository('Files', selectors.file, (client, repository, options) => files(client, repository, options, repoPath)),
  };
}
