import type { BlueprintDefinition, JsonObject } from '../integration-definition.js';

// The default catalog for GitHub, in Port's blueprint names (githubRepository, githubPullRequest, …)
// so Port users find what they know. Relations: repository → organization; pull request, issue,
// workflow, release, deployment → repository; workflow run → workflow and repository; team →
// members (users) and organization.

const url = { type: 'string', format: 'url' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;
const names = { type: 'array', items: { type: 'string' } } as const;
const toRepository = { repository: { target: 'githubRepository', title: 'Repository', many: false, required: false } } as const;

export const githubBlueprints: readonly BlueprintDefinition[] = [
  {
    identifier: 'githubOrganization',
    title: 'GitHub organization',
    icon: 'Github',
    schema: {
      properties: {
        name: text,
        description: text,
        link: url,
        publicRepositories: { type: 'number' },
        createdAt: dateTime,
      },
    },
  },
  {
    identifier: 'githubUser',
    title: 'GitHub user',
    icon: 'Github',
    schema: {
      properties: {
        link: url,
        avatarUrl: url,
        type: text,
        siteAdmin: { type: 'boolean' },
        email: { type: 'string', format: 'email' },
      },
    },
  },
  {
    identifier: 'githubTeam',
    title: 'GitHub team',
    icon: 'Github',
    schema: { properties: { slug: text, description: text, privacy: text, link: url } },
    relations: {
      organization: { target: 'githubOrganization', title: 'Organization', many: false, required: false },
      members: { target: 'githubUser', title: 'Members', many: true, required: false },
    },
  },
  {
    identifier: 'githubRepository',
    title: 'GitHub repository',
    icon: 'Github',
    schema: {
      properties: {
        description: text,
        link: url,
        defaultBranch: text,
        language: text,
        visibility: { type: 'string', enum: ['public', 'private', 'internal'] },
        archived: { type: 'boolean' },
        fork: { type: 'boolean' },
        topics: names,
        stars: { type: 'number' },
        openIssues: { type: 'number' },
        pushedAt: dateTime,
      },
    },
    relations: { organization: { target: 'githubOrganization', title: 'Organization', many: false, required: false } },
  },
  {
    identifier: 'githubPullRequest',
    title: 'GitHub pull request',
    icon: 'Github',
    schema: {
      properties: {
        number: { type: 'number' },
        status: { type: 'string', enum: ['open', 'closed', 'merged'] },
        draft: { type: 'boolean' },
        creator: text,
        assignees: names,
        reviewers: names,
        labels: names,
        branch: text,
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        closedAt: dateTime,
        mergedAt: dateTime,
        leadTimeHours: { type: 'number' },
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubIssue',
    title: 'GitHub issue',
    icon: 'Github',
    schema: {
      properties: {
        number: { type: 'number' },
        status: { type: 'string', enum: ['open', 'closed'] },
        creator: text,
        assignees: names,
        labels: names,
        comments: { type: 'number' },
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        closedAt: dateTime,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubWorkflow',
    title: 'GitHub workflow',
    icon: 'Github',
    schema: { properties: { path: text, status: text, link: url, createdAt: dateTime, updatedAt: dateTime } },
    relations: toRepository,
  },
  {
    identifier: 'githubWorkflowRun',
    title: 'GitHub workflow run',
    icon: 'Github',
    schema: {
      properties: {
        name: text,
        runNumber: { type: 'number' },
        runAttempt: { type: 'number' },
        event: text,
        status: text,
        conclusion: text,
        branch: text,
        headSha: text,
        triggeringActor: text,
        link: url,
        createdAt: dateTime,
        runStartedAt: dateTime,
        updatedAt: dateTime,
      },
    },
    relations: {
      workflow: { target: 'githubWorkflow', title: 'Workflow', many: false, required: false },
      ...toRepository,
    },
  },
  {
    identifier: 'githubRelease',
    title: 'GitHub release',
    icon: 'Github',
    schema: {
      properties: {
        tag: text,
        draft: { type: 'boolean' },
        prerelease: { type: 'boolean' },
        author: text,
        link: url,
        createdAt: dateTime,
        publishedAt: dateTime,
      },
    },
    relations: toRepository,
  },
  {
    identifier: 'githubDeployment',
    title: 'GitHub deployment',
    icon: 'Github',
    schema: {
      properties: {
        environment: text,
        task: text,
        ref: text,
        sha: text,
        description: text,
        creator: text,
        production: { type: 'boolean' },
        transient: { type: 'boolean' },
        createdAt: dateTime,
        updatedAt: dateTime,
      },
    },
    relations: toRepository,
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
 * The default mapping (Port's port-app-config shape, JSONata leaves). Identifiers: organizations
 * and users by login, repositories by full name (`owner/name`), pull requests and issues by
 * `owner/name#number`, teams by `org/slug`, the rest by GitHub's numeric id.
 */
export const githubDefaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    resource('organization', 'githubOrganization', {
      identifier: 'login',
      title: 'name ? name : login',
      properties: {
        name: 'name',
        description: 'description',
        link: 'html_url',
        publicRepositories: 'public_repos',
        createdAt: 'created_at',
      },
    }),
    resource('user', 'githubUser', {
      identifier: 'login',
      title: 'login',
      properties: { link: 'html_url', avatarUrl: 'avatar_url', type: 'type', siteAdmin: 'site_admin', email: 'email' },
    }),
    resource(
      'team',
      'githubTeam',
      {
        identifier: '__organization & "/" & slug',
        title: 'name',
        properties: { slug: 'slug', description: 'description', privacy: 'privacy', link: 'html_url' },
        relations: { organization: '__organization', members: '[__members.login]' },
      },
      { members: true },
    ),
    resource(
      'repository',
      'githubRepository',
      {
        identifier: 'full_name',
        title: 'name',
        properties: {
          description: 'description',
          link: 'html_url',
          defaultBranch: 'default_branch',
          language: 'language',
          visibility: 'visibility',
          archived: 'archived',
          fork: 'fork',
          topics: 'topics',
          stars: 'stargazers_count',
          openIssues: 'open_issues_count',
          pushedAt: 'pushed_at',
        },
        relations: { organization: 'owner.type = "Organization" ? owner.login : null' },
      },
      { type: 'all' },
    ),
    resource(
      'pull-request',
      'githubPullRequest',
      {
        identifier: '__repository & "#" & number',
        title: 'title',
        properties: {
          number: 'number',
          status: 'merged_at ? "merged" : state',
          draft: 'draft',
          creator: 'user.login',
          assignees: '[assignees.login]',
          reviewers: '[requested_reviewers.login]',
          labels: '[labels.name]',
          branch: 'head.ref',
          link: 'html_url',
          createdAt: 'created_at',
          updatedAt: 'updated_at',
          closedAt: 'closed_at',
          mergedAt: 'merged_at',
          leadTimeHours: 'merged_at ? $round(($toMillis(merged_at) - $toMillis(created_at)) / 3600000, 1) : null',
        },
        relations: { repository: '__repository' },
      },
      { states: ['open'] },
    ),
    resource(
      'issue',
      'githubIssue',
      {
        identifier: '__repository & "#" & number',
        title: 'title',
        properties: {
          number: 'number',
          status: 'state',
          creator: 'user.login',
          assignees: '[assignees.login]',
          labels: '[labels.name]',
          comments: 'comments',
          link: 'html_url',
          createdAt: 'created_at',
          updatedAt: 'updated_at',
          closedAt: 'closed_at',
        },
        relations: { repository: '__repository' },
      },
      { state: 'open' },
    ),
    resource('workflow', 'githubWorkflow', {
      identifier: 'id',
      title: 'name',
      properties: { path: 'path', status: 'state', link: 'html_url', createdAt: 'created_at', updatedAt: 'updated_at' },
      relations: { repository: '__repository' },
    }),
    resource('workflow-run', 'githubWorkflowRun', {
      identifier: 'id',
      title: 'display_title',
      properties: {
        name: 'name',
        runNumber: 'run_number',
        runAttempt: 'run_attempt',
        event: 'event',
        status: 'status',
        conclusion: 'conclusion',
        branch: 'head_branch',
        headSha: 'head_sha',
        triggeringActor: 'triggering_actor.login',
        link: 'html_url',
        createdAt: 'created_at',
        runStartedAt: 'run_started_at',
        updatedAt: 'updated_at',
      },
      relations: { workflow: 'workflow_id', repository: '__repository' },
    }),
    resource('release', 'githubRelease', {
      identifier: 'id',
      title: 'name ? name : tag_name',
      properties: {
        tag: 'tag_name',
        draft: 'draft',
        prerelease: 'prerelease',
        author: 'author.login',
        link: 'html_url',
        createdAt: 'created_at',
        publishedAt: 'published_at',
      },
      relations: { repository: '__repository' },
    }),
    resource('deployment', 'githubDeployment', {
      identifier: 'id',
      title: '__repository & " " & ref & " to " & environment',
      properties: {
        environment: 'environment',
        task: 'task',
        ref: 'ref',
        sha: 'sha',
        description: 'description',
        creator: 'creator.login',
        production: 'production_environment',
        transient: 'transient_environment',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      relations: { repository: '__repository' },
    }),
  ],
};
