import { DomainError } from '@mooring/platform';
import type {
  BlueprintDefinition,
  IntegrationConnection,
  IntegrationDefinition,
  JsonObject,
  KindDefinition,
  Page,
} from '../integration-definition.js';
import type { FakeKind } from './fake-data.js';

// A deterministic stand-in for a real tool (like Ocean's fake-integration): teams, services and
// deployments served by FakeToolServer over loopback HTTP. Tests, benchmarks and the demo use it.

async function request(connection: IntegrationConnection, path: string | URL): Promise<Response> {
  const url = new URL(path, connection.settings['baseUrl']);
  const response = await connection.fetch(url, {
    headers: { authorization: `Bearer ${await connection.accessToken()}`, accept: 'application/json' },
    signal: connection.signal,
  });
  if (response.status === 401) {
    await response.body?.cancel();
    throw new DomainError('CREDENTIALS_INVALID', 'The fake tool rejected the token', { status: 401 });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new DomainError('UPSTREAM_FAILED', `The fake tool answered ${response.status} for ${url.pathname}`, {
      status: response.status,
      path: url.pathname,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  return response;
}

function listing(kind: FakeKind, title: string): KindDefinition {
  return {
    title,
    async *extract(connection): AsyncIterable<Page> {
      let next: string | null = `/api/v1/${kind}s?page=0`;
      while (next) {
        const body = (await (await request(connection, next)).json()) as { items: JsonObject[]; next: string | null };
        yield body.items;
        next = body.next;
      }
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
    const me = (await (await request(connection, '/api/v1/me')).json()) as { id?: unknown; name?: unknown };
    return typeof me.id === 'string' ? { id: me.id, name: typeof me.name === 'string' ? me.name : me.id } : undefined;
  },
};
