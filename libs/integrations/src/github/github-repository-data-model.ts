import type { BlueprintDefinition, JsonObject } from '../integration-definition.js';

// Blueprints and mapping resources for the kinds read per repository in
// github-repository-kinds.ts and github-security-kinds.ts, each related to its repository
// (githubRepository, identified by full name). The blueprints are created at install; the
// resources are offered, not in the default mapping: each reads every repository once more (the
// deployment statuses and files several times), which would more than double a first sync of a
// large organization. A user adds the ones they want to the installation's mapping (README.md).

const url = { type: 'string', format: 'url' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;
const names = { type: 'array', items: { type: 'string' } } as const;
const toRepository = { repository: { target: 'githubRepository', title: 'Repository', many: false, required: false } } as const;
const severity = { type: 'string', enum: ['low', 'medium', 'high', 'critical'] };

export const githubRepositoryBlueprints: readonly BlueprintDefinition[] = [
  {
    identifier: 'githubBranch',
    title: 'GitHub branch',
    icon: 'Github',
    schema: { properties: { name: text, protected: { type: 'boolean' }, headSha: text } },
    relations: toRepository,
  },
  {
    identifier: 'githubTag',
    title: 'GitHub tag',
    icon: 'Github',
    schema: { properties: { name: text, sha: text, tarball: url } },
    relations: toRepository,
  },
  {
    identifier: 'githubEnvironment',
    title: 'GitHub environment',
    icon: 'Github',
    schema: {
      properties: {
        name: text,
        link: url,
        protectionRules: names,
        protectedBranchesOnly: { type: 'boolean' },
        createdAt: dateTime,
        updatedAt: dateTime,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubDeploymentStatus',
    title: 'GitHub deployment status',
    icon: 'Github',
    schema: {
      properties: {
        state: { type: 'string', enum: ['error', 'failure', 'inactive', 'pending', 'success', 'queued', 'in_progress'] },
        environment: text,
        description: text,
        creator: text,
        ref: text,
        logLink: url,
        environmentLink: url,
        createdAt: dateTime,
      },
    },
    relations: {
      deployment: { target: 'githubDeployment', title: 'Deployment', many: false, required: false },
      ...toRepository,
    },
  },
  {
    identifier: 'githubDependabotAlert',
    title: 'GitHub Dependabot alert',
    icon: 'Github',
    schema: {
      properties: {
        state: { type: 'string', enum: ['auto_dismissed', 'dismissed', 'fixed', 'open'] },
        severity,
        package: text,
        ecosystem: text,
        manifestPath: text,
        ghsaId: text,
        cveId: text,
        patchedVersion: text,
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        fixedAt: dateTime,
        dismissedAt: dateTime,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubCodeScanningAlert',
    title: 'GitHub code scanning alert',
    icon: 'Github',
    schema: {
      properties: {
        state: { type: 'string', enum: ['open', 'dismissed', 'fixed'] },
        rule: text,
        description: text,
        severity: text,
        securitySeverity: severity,
        tool: text,
        path: text,
        startLine: { type: 'number' },
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        fixedAt: dateTime,
        dismissedAt: dateTime,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubFile',
    title: 'GitHub file',
    icon: 'Github',
    schema: {
      properties: {
        path: text,
        content: { type: 'string', format: 'markdown' },
        size: { type: 'number' },
        sha: text,
        contentOmitted: { type: 'boolean' },
        link: url,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubCollaborator',
    title: 'GitHub collaborator',
    icon: 'Github',
    schema: {
      properties: {
        login: text,
        name: text,
        email: { type: 'string', format: 'email' },
        role: text,
        permissions: names,
        siteAdmin: { type: 'boolean' },
        link: url,
      },
    },
    relations: { user: { target: 'githubUser', title: 'User', many: false, required: false }, ...toRepository },
  },
];

function resource(kind: string, blueprint: string, mappings: JsonObject, selector: JsonObject = {}): JsonObject {
  return {
    kind,
    selector: { query: 'true', ...selector },
    port: { entity: { mappings: { ...mappings, blueprint: `"${blueprint}"` } } },
  };
}

/**
 * Mapping resources (Port's shape, JSONata leaves) for the per-repository kinds. Identifiers are
 * the repository's full name and the item's name within it (`owner/name:main`), alerts by
 * `owner/name#number` (GitHub numbers them per repository), deployment statuses by GitHub's id.
 */
export const githubRepositoryResources: readonly JsonObject[] = [
  resource('branch', 'githubBranch', {
    identifier: '__repository & ":" & name',
    title: 'name',
    properties: { name: 'name', protected: 'protected', headSha: 'commit.sha' },
    relations: { repository: '__repository' },
  }),
  resource('tag', 'githubTag', {
    identifier: '__repository & ":" & name',
    title: 'name',
    properties: { name: 'name', sha: 'commit.sha', tarball: 'tarball_url' },
    relations: { repository: '__repository' },
  }),
  resource('environment', 'githubEnvironment', {
    identifier: '__repository & ":" & name',
    title: 'name',
    properties: {
      name: 'name',
      link: 'html_url',
      protectionRules: '[protection_rules.type]',
      protectedBranchesOnly: 'deployment_branch_policy.protected_branches',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    },
    relations: { repository: '__repository' },
  }),
  resource(
    'deployment-status',
    'githubDeploymentStatus',
    {
      identifier: 'id',
      title: 'environment & " " & state',
      properties: {
        state: 'state',
        environment: 'environment',
        description: 'description',
        creator: 'creator.login',
        ref: '__ref',
        logLink: 'log_url',
        environmentLink: 'environment_url',
        createdAt: 'created_at',
      },
      relations: { deployment: '__deployment', repository: '__repository' },
    },
    { maxDeployments: 10 },
  ),
  resource(
    'dependabot-alert',
    'githubDependabotAlert',
    {
      identifier: '__repository & "#" & number',
      title: 'security_advisory.summary',
      properties: {
        state: 'state',
        severity: 'security_advisory.severity',
        package: 'dependency.package.name',
        ecosystem: 'dependency.package.ecosystem',
        manifestPath: 'dependency.manifest_path',
        ghsaId: 'security_advisory.ghsa_id',
        cveId: 'security_advisory.cve_id',
        patchedVersion: 'security_vulnerability.first_patched_version.identifier',
        link: 'html_url',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
        fixedAt: 'fixed_at',
        dismissedAt: 'dismissed_at',
      },
      relations: { repository: '__repository' },
    },
    { states: ['open'] },
  ),
  resource(
    'code-scanning-alert',
    'githubCodeScanningAlert',
    {
      identifier: '__repository & "#" & number',
      title: 'rule.description',
      properties: {
        state: 'state',
        rule: 'rule.id',
        description: 'rule.description',
        severity: 'rule.severity',
        securitySeverity: 'rule.security_severity_level',
        tool: 'tool.name',
        path: 'most_recent_instance.location.path',
        startLine: 'most_recent_instance.location.start_line',
        link: 'html_url',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
        fixedAt: 'fixed_at',
        dismissedAt: 'dismissed_at',
      },
      relations: { repository: '__repository' },
    },
    { state: 'open' },
  ),
  resource(
    'file',
    'githubFile',
    {
      identifier: '__repository & ":" & path',
      title: 'path',
      properties: {
        path: 'path',
        content: '__content',
        size: 'size',
        sha: 'sha',
        contentOmitted: '__truncated',
        link: 'html_url',
      },
      relations: { repository: '__repository' },
    },
    { paths: ['README.md', 'CODEOWNERS'] },
  ),
  resource(
    'collaborator',
    'githubCollaborator',
    {
      identifier: '__repository & ":" & login',
      title: 'name ? name : login',
      properties: {
        login: 'login',
        name: 'name',
        email: 'email',
        role: 'role_name',
        permissions: '[$filter($keys(permissions), function($name) { $lookup($$.permissions, $name) })]',
        siteAdmin: 'site_admin',
        link: 'html_url',
      },
      relations: { user: 'login', repository: '__repository' },
    },
    { affiliation: 'all' },
  ),
];
