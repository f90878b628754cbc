import { DomainError } from '@mooring/platform';
import type { BlueprintDefinition, IntegrationDefinition, JsonObject } from '../integration-definition.js';
import { declaredKinds, expressionProblems, firstPage } from './generic-http-kinds.js';
import { genericLiveEvents } from './generic-http-live-events.js';
import { parseGenericSettings } from './generic-http-settings.js';

// "Any REST API": an installation declares its API (base URL, auth, headers) and its kinds in its
// settings; the toolkit lists them. The static `item` kind is what the default mapping is written
// against: an installation that keeps the default mapping declares a kind named `item`.

const blueprints: BlueprintDefinition[] = [
  {
    identifier: 'genericItem',
    title: 'Item',
    icon: 'API',
    schema: { properties: { raw: { type: 'object' } } },
  },
];

const defaultMapping: JsonObject = {
  deleteDependentEntities: true,
  createMissingRelatedEntities: true,
  enableMergeEntity: true,
  entityDeletionThreshold: 0.9,
  resources: [
    {
      kind: 'item',
      selector: { query: 'true' },
      port: {
        entity: {
          mappings: {
            identifier: '$string(id)',
            title: '$string(name ? name : id)',
            blueprint: '"genericItem"',
            properties: { raw: '$' },
          },
        },
      },
    },
  ],
};

export const genericHttp: IntegrationDefinition = {
  id: 'generic-http',
  title: 'Any REST API',
  description: 'Syncs any JSON REST API: declare its base URL, auth and the listings (kinds) to read, then map them.',
  auth: {
    customSettings: {
      fields: [
        {
          name: 'baseUrl',
          title: 'Base URL',
          description: 'The API root, e.g. https://api.example.com/v1',
          type: 'url',
          required: true,
          sensitive: false,
        },
        {
          name: 'auth',
          title: 'Authentication',
          description:
            'JSON: {"type":"bearer"}, {"type":"basic","username":"…"}, {"type":"apiKey","in":"header"|"query","name":"…"}, {"type":"oauth2ClientCredentials","tokenUrl":"…","clientId":"…","scope":"…"} or {"type":"none"}; bearer when empty',
          type: 'string',
          required: false,
          sensitive: false,
        },
        {
          name: 'token',
          title: 'Secret',
          description: 'The token, password, API key or OAuth client secret of the chosen authentication (any value for "none")',
          type: 'string',
          required: true,
          sensitive: true,
        },
        {
          name: 'headers',
          title: 'Extra headers',
          description: 'JSON object of headers sent with every request (not for secrets)',
          type: 'string',
          required: false,
          sensitive: false,
        },
        {
          name: 'kinds',
          title: 'Kinds',
          description:
            'JSON list of {"name","path","method":"GET"|"POST","query","body","itemsPath" or "itemsExpression":{"language":"jsonata"|"jq","expression"},"pagination":{"type":"none"|"pageNumber"|"offset"|"cursor"|"nextUrl"|"linkHeader","in":"query"|"body",…},"stop","maxPages","requestsPerSecond","parent":{"kind"}} (see the integration README)',
          type: 'string',
          required: true,
          sensitive: false,
        },
        {
          name: 'liveEvents',
          title: 'Live events',
          description:
            'JSON: {"signatureHeader","algorithm":"sha1"|"sha256"|"plain","prefix","requestIdHeader","timestampHeader","toleranceSeconds","kind","itemPath","idPath","deletedWhen"}',
          type: 'string',
          required: false,
          sensitive: false,
        },
      ],
    },
  },
  kinds: {
    item: {
      title: 'Item (a kind named "item" declared in the settings)',
      extract(connection, selector) {
        const item = declaredKinds(connection.settings)['item'];
        if (!item)
          throw new DomainError('VALIDATION_FAILED', 'No kind named "item" is declared', {
            fields: [{ field: 'settings.kinds', message: 'declare a kind named "item"' }],
          });
        return item.extract(connection, selector);
      },
    },
  },
  kindsFor: declaredKinds,
  defaultBlueprints: blueprints,
  defaultMapping,
  async verifyCredentials(connection) {
    const settings = parseGenericSettings(connection.settings);
    const problems = await expressionProblems(connection, settings);
    if (problems.length > 0) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `The generic HTTP settings are invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
        { fields: problems },
      );
    }
    const first = settings.kinds.find((kind) => !kind.parent)!;
    await firstPage(connection, settings, first.name);
  },
  liveEvents: genericLiveEvents,
};
