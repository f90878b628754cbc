import type {
  BlueprintDefinition,
  IntegrationConnection,
  IntegrationDefinition,
  JsonObject,
  JsonValue,
  KindDefinition,
} from '../integration-definition.js';
import { ToolClient, paging } from '../toolkit/index.js';
import type { FakeKind } from './fake-data.js';

// A deterministic stand-in for a real tool (like Ocean's fake-integration): teams, services and
// deployments served by FakeToolServer over loopback HTTP. Tests, benchmarks and the demo use it;
// production offers it only when INTEGRATIONS_FAKE_ENABLED is on.

/**
 * The fake tool's API on the toolkit's client. It does not retry: a failing page fails the kind at
 * once, so the worker's retries and the engine's deletion rules are what tests exercise.
 */
function fakeClient(connection: IntegrationConnection): ToolClient {
  return new ToolClient(connection, {
    id: 'fake',
    tool: 'The fake tool',
    apiRoot: connection.settings['baseUrl']!,
    headers: (token) => ({ authorization: `Bearer ${token}`, accept: 'application/json' }),
    maxAttempts: 1,
    conditionalRequests: false,
    refusedMessage: () => 'The fake tool rejected the token',
    describeFailure: (status, url) => `The fake tool answered ${status} for ${url.pathname}`,
  });
}

/** `{"items": […], "next": "<url of the next page>" | null, "total": n}`; the next page must stay on the tool's origin. */
const listingPaging = paging.cursor({
  itemsKey: 'items',
  next: (body) => member(body, 'next'),
  total: ({ body }) => member(body, 'total'),
});

function member(body: JsonValue, key: string): JsonValue | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body[key] : undefined;
}

function listing(kind: FakeKind, title: string): KindDefinition {
  return {
    title,
    extract(connection) {
      const client = fakeClient(connection);
      return client.countedPages(client.url(`/api/v1/${kind}s`, { page: 0 }), listingPaging);
    },
  };
}

const blueprints: BlueprintDefinition[] = [
  {
    identifier: 'fakeTeam',
    title: 'Fake team',
    icon: 'Team',
    schema: { properties: { slug: { type: 'string' }, members: { type: 'number' } } },
  },
  {
    identifier: 'fakeService',
    title: 'Fake service',
    icon: 'Service',
    schema: {
      properties: {
        description: { type: 'string', format: 'markdown' },
        url: { type: 'string', format: 'url' },
        language: { type: 'string', enum: ['typescript', 'go', 'python', 'java', 'rust'] },
        tier: { type: 'number', minimum: 1, maximum: 3 },
        tags: { type: 'array', items: { type: 'string' } },
        ownerEmail: { type: 'string', format: 'email' },
      },
      required: ['url'],
    },
    relations: { team: { target: 'fakeTeam', title: 'Team', many: false, required: false } },
  },
  {
    identifier: 'fakeDeployment',
    title: 'Fake deployment',
    icon: 'Deployment',
    schema: {
      properties: {
        environment: { type: 'string', enum: ['production', 'staging', 'development'] },
        status: { type: 'string' },
        version: { type: 'string' },
        deployedAt: { type: 'string', format: 'date-time' },
        durationSeconds: { type: 'number' },
      },
    },
    relations: { service: { target: 'fakeService', title: 'Service', many: false, required: false } },
  },
];

const defaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    {
      kind: 'team',
      selector: { query: 'true' },
      port: {
        entity: {
          mappings: {
            identifier: 'id',
            title: 'name',
            blueprint: '"fakeTeam"',
            properties: { slug: 'slug', members: 'members' },
          },
        },
      },
    },
    {
      kind: 'service',
      selector: { query: 'archived = false' },
      port: {
        entity: {
          mappings: {
            identifier: 'id',
            title: 'name',
            blueprint: '"fakeService"',
            properties: {
              description: 'description',
              url: 'url',
              language: 'language',
              tier: 'tier',
              tags: 'tags',
              ownerEmail: 'owner_email',
            },
            relations: { team: 'team_id' },
          },
        },
      },
    },
    {
      kind: 'deployment',
      selector: { query: 'true' },
      port: {
        entity: {
          mappings: {
            identifier: 'id',
            title: 'service_id & " " & version & " to " & environment',
            blueprint: '"fakeDeployment"',
            properties: {
              environment: 'environment',
              status: 'status',
              version: 'version',
              deployedAt: 'deployed_at',
              durationSeconds: 'duration_seconds',
            },
            relations: { service: 'service_id' },
          },
        },
      },
    },
  ],
};

export const fakeIntegration: IntegrationDefinition = {
  id: 'fake',
  title: 'Fake tool',
  description: 'A deterministic demo tool with teams, services and deployments, for tests, benchmarks and demos',
  auth: {
    customSettings: {
      fields: [
        {
          name: 'baseUrl',
          title: 'Base URL',
          description: 'Where the fake tool server listens',
          type: 'url',
          required: true,
          sensitive: false,
        },
        {
          name: 'token',
          title: 'API token',
          description: 'Bearer token of the fake tool',
          type: 'string',
          required: true,
          sensitive: true,
        },
      ],
    },
  },
  kinds: {
    team: listing('team', 'Teams'),
    service: listing('service', 'Services'),
    deployment: listing('deployment', 'Deployments'),
  },
  defaultBlueprints: blueprints,
  defaultMapping,
  async verifyCredentials(connection) {
    const client = fakeClient(connection);
    const me = (await client.get(client.url('/api/v1/me')))?.body;
    if (typeof me !== 'object' || me === null || Array.isArray(me) || typeof me['id'] !== 'string') return undefined;
    return { id: me['id'], name: typeof me['name'] === 'string' ? me['name'] : me['id'] };
  },
};
