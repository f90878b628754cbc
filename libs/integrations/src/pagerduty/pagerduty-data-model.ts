import type { BlueprintDefinition, JsonObject } from '../integration-definition.js';

// The default catalog for PagerDuty, in Port's blueprint names (pagerdutyService,
// pagerdutyIncident, …) so Port users find what they know. Relations: incident → service; service →
// escalation policy and team; on-call → user, schedule and escalation policy; team → members.
// Identifiers are PagerDuty's ids; an on-call (which has none) is its policy, level, user and schedule.

const url = { type: 'string', format: 'url' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const text = { type: 'string' } as const;
const names = { type: 'array', items: { type: 'string' } } as const;
const one = (target: string, title: string) => ({ target, title, many: false, required: false }) as const;
const many = (target: string, title: string) => ({ target, title, many: true, required: false }) as const;

export const pagerdutyBlueprints: readonly BlueprintDefinition[] = [
  {
    identifier: 'pagerdutyUser',
    title: 'PagerDuty user',
    icon: 'pagerduty',
    schema: { properties: { email: { type: 'string', format: 'email' }, role: text, jobTitle: text, timeZone: text, url } },
  },
  {
    identifier: 'pagerdutyTeam',
    title: 'PagerDuty team',
    icon: 'pagerduty',
    schema: { properties: { description: text, url } },
    relations: { members: many('pagerdutyUser', 'Members') },
  },
  {
    identifier: 'pagerdutySchedule',
    title: 'PagerDuty schedule',
    icon: 'pagerduty',
    schema: { properties: { description: text, timezone: text, url, users: names } },
  },
  {
    identifier: 'pagerdutyEscalationPolicy',
    title: 'PagerDuty escalation policy',
    icon: 'pagerduty',
    schema: { properties: { description: text, url, numLoops: { type: 'number' }, levels: { type: 'number' } } },
  },
  {
    identifier: 'pagerdutyService',
    title: 'PagerDuty service',
    icon: 'pagerduty',
    schema: {
      properties: {
        status: { type: 'string', enum: ['active', 'warning', 'critical', 'maintenance', 'disabled'] },
        url,
        description: text,
        oncall: names,
        secondaryOncall: names,
        escalationLevels: { type: 'number' },
        lastIncidentAt: dateTime,
        createdAt: dateTime,
      },
    },
    relations: {
      escalationPolicy: one('pagerdutyEscalationPolicy', 'Escalation policy'),
      teams: many('pagerdutyTeam', 'Teams'),
    },
  },
  {
    identifier: 'pagerdutyIncident',
    title: 'PagerDuty incident',
    icon: 'pagerduty',
    schema: {
      properties: {
        number: { type: 'number' },
        status: { type: 'string', enum: ['triggered', 'acknowledged', 'resolved'] },
        urgency: { type: 'string', enum: ['high', 'low'] },
        priority: text,
        url,
        assignees: names,
        escalationPolicy: text,
        createdAt: dateTime,
        updatedAt: dateTime,
        resolvedAt: dateTime,
      },
    },
    relations: { service: one('pagerdutyService', 'Service') },
  },
  {
    identifier: 'pagerdutyOncall',
    title: 'PagerDuty on-call',
    icon: 'pagerduty',
    schema: { properties: { level: { type: 'number' }, start: dateTime, end: dateTime, email: text } },
    relations: {
      user: one('pagerdutyUser', 'User'),
      schedule: one('pagerdutySchedule', 'Schedule'),
      escalationPolicy: one('pagerdutyEscalationPolicy', 'Escalation policy'),
    },
  },
];

function resource(kind: string, blueprint: string, mappings: JsonObject, selector: JsonObject = {}): JsonObject {
  return {
    kind,
    selector: { query: 'true', ...selector },
    port: { entity: { mappings: { ...mappings, blueprint: `"${blueprint}"` } } },
  };
}

/** The default mapping (Port's port-app-config shape, JSONata leaves). */
export const pagerdutyDefaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    resource('user', 'pagerdutyUser', {
      identifier: 'id',
      title: 'name',
      properties: { email: 'email', role: 'role', jobTitle: 'job_title', timeZone: 'time_zone', url: 'html_url' },
    }),
    resource(
      'team',
      'pagerdutyTeam',
      {
        identifier: 'id',
        title: 'name',
        properties: { description: 'description', url: 'html_url' },
        relations: { members: '[__members.user.id]' },
      },
      { members: true },
    ),
    resource('schedule', 'pagerdutySchedule', {
      identifier: 'id',
      title: 'name',
      properties: { description: 'description', timezone: 'time_zone', url: 'html_url', users: '[users.summary]' },
    }),
    resource('escalation-policy', 'pagerdutyEscalationPolicy', {
      identifier: 'id',
      title: 'name',
      properties: {
        description: 'description',
        url: 'html_url',
        numLoops: 'num_loops',
        levels: '$count(escalation_rules)',
      },
    }),
    resource('service', 'pagerdutyService', {
      identifier: 'id',
      title: 'name',
      properties: {
        status: 'status',
        url: 'html_url',
        description: 'description',
        oncall: '[__oncall[escalation_level = 1].user.email]',
        secondaryOncall: '[__oncall[escalation_level = 2].user.email]',
        escalationLevels: '$count(escalation_policy.escalation_rules)',
        lastIncidentAt: 'last_incident_timestamp',
        createdAt: 'created_at',
      },
      relations: { escalationPolicy: 'escalation_policy.id', teams: '[teams.id]' },
    }),
    resource(
      'incident',
      'pagerdutyIncident',
      {
        identifier: 'id',
        title: 'title',
        properties: {
          number: 'incident_number',
          status: 'status',
          urgency: 'urgency',
          priority: 'priority.summary',
          url: 'html_url',
          assignees: '[assignments.assignee.summary]',
          escalationPolicy: 'escalation_policy.summary',
          createdAt: 'created_at',
          updatedAt: 'updated_at',
          resolvedAt: 'resolved_at',
        },
        relations: { service: 'service.id' },
      },
      { statuses: ['triggered', 'acknowledged', 'resolved'], daysBack: 30 },
    ),
    resource('oncall', 'pagerdutyOncall', {
      identifier: 'escalation_policy.id & "-" & escalation_level & "-" & user.id & "-" & (schedule ? schedule.id : "direct")',
      title: 'user.summary & " (level " & escalation_level & ")"',
      properties: { level: 'escalation_level', start: 'start', end: 'end', email: 'user.email' },
      relations: { user: 'user.id', schedule: 'schedule.id', escalationPolicy: 'escalation_policy.id' },
    }),
  ],
};
