import type { BlueprintDefinition, JsonObject } from '../integration-definition.js';

// The default catalog for GitLab, in Port's GitLab names (gitlabGroup, gitlabMember,
// gitlabMergeRequest, …) so Port users find what they know. Port's `service` for projects is
// `gitlabProject` here: a catalog syncing GitHub and GitLab side by side would otherwise have two
// integrations writing one blueprint. Relations: project → group; group → parent group and
// members; merge request, issue, pipeline, deployment, release, tag → project; job → pipeline and
// project.

const url = { type: 'string', format: 'url' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;
const markdown = { type: 'string', format: 'markdown' } as const;
const names = { type: 'array', items: { type: 'string' } } as const;
const toProject = { project: { target: 'gitlabProject', title: 'Project', many: false, required: false } } as const;

export const gitlabBlueprints: readonly BlueprintDefinition[] = [
  {
    identifier: 'gitlabMember',
    title: 'GitLab member',
    icon: 'GitLab',
    schema: {
      properties: { username: text, state: text, email: { type: 'string', format: 'email' }, link: url, avatarUrl: url },
    },
  },
  {
    identifier: 'gitlabGroup',
    title: 'GitLab group',
    icon: 'GitLab',
    schema: {
      properties: {
        fullPath: text,
        description: text,
        visibility: { type: 'string', enum: ['public', 'internal', 'private'] },
        link: url,
        createdAt: dateTime,
      },
    },
    relations: {
      parent: { target: 'gitlabGroup', title: 'Parent group', many: false, required: false },
      gitlabMembers: { target: 'gitlabMember', title: 'Members', many: true, required: false },
    },
  },
  {
    identifier: 'gitlabProject',
    title: 'GitLab project',
    icon: 'GitLab',
    schema: {
      properties: {
        description: text,
        link: url,
        defaultBranch: text,
        language: text,
        readme: markdown,
        topics: names,
        visibility: { type: 'string', enum: ['public', 'internal', 'private'] },
        archived: { type: 'boolean' },
        stars: { type: 'number' },
        openIssues: { type: 'number' },
        lastActivityAt: dateTime,
      },
    },
    relations: { group: { target: 'gitlabGroup', title: 'Group', many: false, required: false } },
  },
  {
    identifier: 'gitlabMergeRequest',
    title: 'GitLab merge request',
    icon: 'GitLab',
    schema: {
      properties: {
        iid: { type: 'number' },
        status: { type: 'string', enum: ['opened', 'closed', 'merged', 'locked'] },
        draft: { type: 'boolean' },
        creator: text,
        assignees: names,
        reviewers: names,
        labels: names,
        sourceBranch: text,
        targetBranch: text,
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        mergedAt: dateTime,
        closedAt: dateTime,
        leadTimeHours: { type: 'number' },
      },
    },
    relations: toProject,
  },
  {
    identifier: 'gitlabIssue',
    title: 'GitLab issue',
    icon: 'GitLab',
    schema: {
      properties: {
        iid: { type: 'number' },
        status: { type: 'string', enum: ['opened', 'closed'] },
        issueType: text,
        creator: text,
        assignees: names,
        labels: names,
        link: url,
        createdAt: dateTime,
        updatedAt: dateTime,
        closedAt: dateTime,
      },
    },
    relations: toProject,
  },
  {
    identifier: 'gitlabPipeline',
    title: 'GitLab pipeline',
    icon: 'GitLab',
    schema: {
      properties: { status: text, ref: text, sha: text, source: text, link: url, createdAt: dateTime, updatedAt: dateTime },
    },
    relations: toProject,
  },
  {
    identifier: 'gitlabJob',
    title: 'GitLab job',
    icon: 'GitLab',
    schema: {
      properties: {
        stage: text,
        status: text,
        ref: text,
        allowFailure: { type: 'boolean' },
        failureReason: text,
        link: url,
        createdAt: dateTime,
        startedAt: dateTime,
        finishedAt: dateTime,
        durationSeconds: { type: 'number' },
      },
    },
    relations: { ...toProject, pipeline: { target: 'gitlabPipeline', title: 'Pipeline', many: false, required: false } },
  },
  {
    identifier: 'gitlabDeployment',
    title: 'GitLab deployment',
    icon: 'GitLab',
    schema: {
      properties: {
        environment: text,
        environmentTier: text,
        status: text,
        ref: text,
        sha: text,
        creator: text,
        createdAt: dateTime,
        updatedAt: dateTime,
      },
    },
    relations: toProject,
  },
  {
    identifier: 'gitlabRelease',
    title: 'GitLab release',
    icon: 'GitLab',
    schema: {
      properties: {
        tag: text,
        description: markdown,
        author: text,
        upcoming: { type: 'boolean' },
        createdAt: dateTime,
        releasedAt: dateTime,
      },
    },
    relations: toProject,
  },
  {
    identifier: 'gitlabTag',
    title: 'GitLab tag',
    icon: 'GitLab',
    schema: { properties: { commitSha: text, message: text, protected: { type: 'boolean' }, createdAt: dateTime } },
    relations: toProject,
  },
];

function resource(kind: string, blueprint: string, mappings: JsonObject, selector: JsonObject = {}): JsonObject {
  return {
    kind,
    selector: { query: 'true', ...selector },
    port: { entity: { mappings: { ...mappings, blueprint: `"${blueprint}"` } } },
  };
}

/** A group's parent from its full path (`harbor/payments` → `harbor`); null for a top-level group. */
const PARENT_GROUP = '$contains(full_path, "/") ? $replace(full_path, /\\/[^\\/]+$/, "") : null';

/**
 * The default mapping (Port's port-app-config shape, JSONata leaves). Identifiers: groups by full
 * path, projects by `path_with_namespace`, members by username, merge requests and issues by their
 * full reference (`group/project!12`, `group/project#7`), releases and tags by `project@tag`, the
 * rest by GitLab's numeric id.
 */
export const gitlabDefaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    resource('member', 'gitlabMember', {
      identifier: 'username',
      title: 'name',
      properties: { username: 'username', state: 'state', email: 'email', link: 'web_url', avatarUrl: 'avatar_url' },
    }),
    resource('group-with-members', 'gitlabGroup', {
      identifier: 'full_path',
      title: 'full_name',
      properties: {
        fullPath: 'full_path',
        description: 'description',
        visibility: 'visibility',
        link: 'web_url',
        createdAt: 'created_at',
      },
      relations: { parent: PARENT_GROUP, gitlabMembers: '[__members.username]' },
    }),
    resource(
      'project',
      'gitlabProject',
      {
        identifier: 'path_with_namespace',
        title: 'name',
        properties: {
          description: 'description',
          link: 'web_url',
          defaultBranch: 'default_branch',
          language: '__languages ? $keys(__languages)[0] : null',
          readme: '__files."README.md"',
          topics: 'topics',
          visibility: 'visibility',
          archived: 'archived',
          stars: 'star_count',
          openIssues: 'open_issues_count',
          lastActivityAt: 'last_activity_at',
        },
        relations: { group: 'namespace.kind = "group" ? namespace.full_path : null' },
      },
      { includeLanguages: true, includedFiles: ['README.md'] },
    ),
    resource(
      'merge-request',
      'gitlabMergeRequest',
      {
        identifier: 'references.full',
        title: 'title',
        properties: {
          iid: 'iid',
          status: 'state',
          draft: 'draft',
          creator: 'author.username',
          assignees: '[assignees.username]',
          reviewers: '[reviewers.username]',
          labels: '[labels]',
          sourceBranch: 'source_branch',
          targetBranch: 'target_branch',
          link: 'web_url',
          createdAt: 'created_at',
          updatedAt: 'updated_at',
          mergedAt: 'merged_at',
          closedAt: 'closed_at',
          leadTimeHours: 'merged_at ? $round(($toMillis(merged_at) - $toMillis(created_at)) / 3600000, 1) : null',
        },
        relations: { project: '__project' },
      },
      { states: ['opened', 'merged'], updatedAfter: 90 },
    ),
    resource(
      'issue',
      'gitlabIssue',
      {
        identifier: 'references.full',
        title: 'title',
        properties: {
          iid: 'iid',
          status: 'state',
          issueType: 'type',
          creator: 'author.username',
          assignees: '[assignees.username]',
          labels: '[labels]',
          link: 'web_url',
          createdAt: 'created_at',
          updatedAt: 'updated_at',
          closedAt: 'closed_at',
        },
        relations: { project: '__project' },
      },
      { state: 'opened' },
    ),
    resource('pipeline', 'gitlabPipeline', {
      identifier: 'id',
      title: '__project & " pipeline " & id & " (" & ref & ")"',
      properties: {
        status: 'status',
        ref: 'ref',
        sha: 'sha',
        source: 'source',
        link: 'web_url',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      relations: { project: '__project' },
    }),
    resource('job', 'gitlabJob', {
      identifier: 'id',
      title: 'name',
      properties: {
        stage: 'stage',
        status: 'status',
        ref: 'ref',
        allowFailure: 'allow_failure',
        failureReason: 'failure_reason',
        link: 'web_url',
        createdAt: 'created_at',
        startedAt: 'started_at',
        finishedAt: 'finished_at',
        durationSeconds: 'duration',
      },
      relations: { project: '__project', pipeline: 'pipeline.id' },
    }),
    resource('deployment', 'gitlabDeployment', {
      identifier: 'id',
      title: '__project & " " & ref & " to " & environment.name',
      properties: {
        environment: 'environment.name',
        environmentTier: 'environment.tier',
        status: 'status',
        ref: 'ref',
        sha: 'sha',
        creator: 'user.username',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      relations: { project: '__project' },
    }),
    resource('release', 'gitlabRelease', {
      identifier: '__project & "@" & tag_name',
      title: 'name ? name : tag_name',
      properties: {
        tag: 'tag_name',
        description: 'description',
        author: 'author.username',
        upcoming: 'upcoming_release',
        createdAt: 'created_at',
        releasedAt: 'released_at',
      },
      relations: { project: '__project' },
    }),
    resource('tag', 'gitlabTag', {
      identifier: '__project & "@" & name',
      title: 'name',
      properties: { commitSha: 'target', message: 'message', protected: 'protected', createdAt: 'commit.created_at' },
      relations: { project: '__project' },
    }),
  ],
};
