import type { BlueprintDefinition, JsonObject } from '../integration-definition.js';

// The default catalog for Jira, in Port's blueprint names (jiraProject, jiraIssue, jiraUser,
// jiraTeam → members, as Port relates them: from the team, not the user) and
// ours where Port has none: issue → project, assignee, reporter, parent; sprint → board; release
// and component → project. Identifiers: projects and issues by key, users by account id (Data
// Center: name), boards, sprints, releases and components by Jira's id.

const url = { type: 'string', format: 'url' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;
const names = { type: 'array', items: { type: 'string' } } as const;
const one = (target: string, title: string) => ({ target, title, many: false, required: false }) as const;

export const jiraBlueprints: readonly BlueprintDefinition[] = [
  {
    identifier: 'jiraUser',
    title: 'Jira user',
    icon: 'User',
    schema: { properties: { email: text, displayName: text, active: { type: 'boolean' }, accountType: text, timeZone: text } },
  },
  {
    identifier: 'jiraTeam',
    title: 'Jira team',
    icon: 'Team',
    schema: {
      properties: {
        organizationId: text,
        teamType: { type: 'string', enum: ['OPEN', 'MEMBER_INVITE', 'EXTERNAL', 'ORG_ADMIN_MANAGED'] },
        state: text,
        description: text,
      },
    },
    relations: { members: { target: 'jiraUser', title: 'Members', many: true, required: false } },
  },
  {
    identifier: 'jiraProject',
    title: 'Jira project',
    icon: 'Jira',
    schema: { properties: { url, description: text, projectType: text, totalIssues: { type: 'number' } } },
    relations: { lead: one('jiraUser', 'Lead') },
  },
  {
    identifier: 'jiraIssue',
    title: 'Jira issue',
    icon: 'Jira',
    schema: {
      properties: {
        url,
        status: text,
        statusCategory: text,
        issueType: text,
        priority: text,
        labels: names,
        components: names,
        fixVersions: names,
        created: dateTime,
        updated: dateTime,
        resolutionDate: dateTime,
      },
    },
    relations: {
      project: one('jiraProject', 'Project'),
      assignee: one('jiraUser', 'Assignee'),
      reporter: one('jiraUser', 'Reporter'),
      parentIssue: one('jiraIssue', 'Parent issue'),
    },
  },
  {
    identifier: 'jiraBoard',
    title: 'Jira board',
    icon: 'Jira',
    schema: { properties: { type: text, url } },
    relations: { project: one('jiraProject', 'Project') },
  },
  {
    identifier: 'jiraSprint',
    title: 'Jira sprint',
    icon: 'Jira',
    schema: { properties: { state: text, goal: text, startDate: dateTime, endDate: dateTime, completeDate: dateTime } },
    relations: { board: one('jiraBoard', 'Board') },
  },
  {
    identifier: 'jiraRelease',
    title: 'Jira release',
    icon: 'Jira',
    schema: {
      properties: {
        description: text,
        released: { type: 'boolean' },
        archived: { type: 'boolean' },
        releaseDate: text,
        startDate: text,
      },
    },
    relations: { project: one('jiraProject', 'Project') },
  },
  {
    identifier: 'jiraComponent',
    title: 'Jira component',
    icon: 'Jira',
    schema: { properties: { description: text, issueCount: { type: 'number' } } },
    relations: { project: one('jiraProject', 'Project'), lead: one('jiraUser', 'Lead') },
  },
];

function resource(kind: string, blueprint: string, mappings: JsonObject, selector: JsonObject = {}): JsonObject {
  return {
    kind,
    selector: { query: 'true', ...selector },
    port: { entity: { mappings: { ...mappings, blueprint: `"${blueprint}"` } } },
  };
}

/** A user reference's identifier: Cloud's account id, Data Center's name. */
const userId = (path: string) => `${path}.accountId ? ${path}.accountId : ${path}.name`;

/** Jira's `2026-09-12T08:03:41.118+0000` as RFC 3339 (`+00:00`), which date-time properties take. */
const isoTime = (path: string) => `${path} ? $replace(${path}, /([+-][0-9]{2})([0-9]{2})$/, "$1:$2") : null`;

/** The default mapping (Port's port-app-config shape, JSONata leaves). */
export const jiraDefaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    resource('user', 'jiraUser', {
      identifier: 'accountId ? accountId : name',
      title: 'displayName',
      properties: {
        email: 'emailAddress',
        displayName: 'displayName',
        active: 'active',
        accountType: 'accountType',
        timeZone: 'timeZone',
      },
    }),
    resource(
      'team',
      'jiraTeam',
      {
        identifier: 'teamId',
        title: 'displayName',
        properties: { organizationId: 'organizationId', teamType: 'teamType', state: 'state', description: 'description' },
        relations: { members: '[__members]' },
      },
      { includeMembers: true },
    ),
    resource('project', 'jiraProject', {
      identifier: 'key',
      title: 'name',
      properties: {
        url: 'self',
        description: 'description',
        projectType: 'projectTypeKey',
        totalIssues: 'insight.totalIssueCount',
      },
      relations: { lead: userId('lead') },
    }),
    resource('board', 'jiraBoard', {
      identifier: '$string(id)',
      title: 'name',
      properties: { type: 'type', url: 'self' },
      relations: { project: 'location.projectKey' },
    }),
    resource('sprint', 'jiraSprint', {
      identifier: '$string(id)',
      title: 'name',
      properties: { state: 'state', goal: 'goal', startDate: 'startDate', endDate: 'endDate', completeDate: 'completeDate' },
      relations: { board: '$string(originBoardId)' },
    }),
    resource('release', 'jiraRelease', {
      identifier: 'id',
      title: 'name',
      properties: {
        description: 'description',
        released: 'released',
        archived: 'archived',
        releaseDate: 'releaseDate',
        startDate: 'startDate',
      },
      relations: { project: '__projectKey' },
    }),
    resource('component', 'jiraComponent', {
      identifier: 'id',
      title: 'name',
      properties: { description: 'description', issueCount: 'issueCount' },
      relations: { project: '__projectKey', lead: userId('lead') },
    }),
    resource(
      'issue',
      'jiraIssue',
      {
        identifier: 'key',
        title: 'fields.summary',
        properties: {
          url: 'self',
          status: 'fields.status.name',
          statusCategory: 'fields.status.statusCategory.name',
          issueType: 'fields.issuetype.name',
          priority: 'fields.priority.name',
          labels: '[fields.labels]',
          components: '[fields.components.name]',
          fixVersions: '[fields.fixVersions.name]',
          created: isoTime('fields.created'),
          updated: isoTime('fields.updated'),
          resolutionDate: isoTime('fields.resolutiondate'),
        },
        relations: {
          project: 'fields.project.key',
          assignee: userId('fields.assignee'),
          reporter: userId('fields.reporter'),
          parentIssue: 'fields.parent.key',
        },
      },
      { jql: '(statusCategory != Done) OR (created >= -1w) OR (updated >= -1w)' },
    ),
  ],
};
