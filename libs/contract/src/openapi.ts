import { z } from 'zod';
import { allRoutes } from './api.js';
import { errorBody } from './common.js';
import type { RouteDefinition } from './route.js';

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Readonly<Record<string, string>> = {
  '400': 'The request is invalid: VALIDATION_FAILED names each field (details.fields)',
  '401': 'Not signed in, or the token is invalid or expired',
  '403': 'The caller’s role does not allow this, or the CSRF token is missing',
  '404': 'Not found in the caller’s organization',
  '409': 'Conflicts with the current state',
  '422': 'The tool refused the host or the credentials',
  '429': 'Too many requests or attempts (x-mooring-rate-limit says the limits): retry after Retry-After seconds',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  return rest;
}

/** `/v1/installations/:id` → `/v1/installations/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function parameters(definition: RouteDefinition): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', definition.params],
    ['query', definition.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: location,
        required: location === 'path' || (object.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function operation(definition: RouteDefinition): JsonSchema {
  const success: JsonSchema = { description: definition.summary };
  if (definition.response) {
    success['content'] = {
      [definition.contentType ?? 'application/json']: { schema: jsonSchema(definition.response, 'output') },
    };
  }
  const errors = Object.fromEntries(
    Object.entries(ERROR_STATUSES)
      .filter(([status]) => definition.access !== 'public' || !['401', '403'].includes(status))
      .map(([status, description]) => [status, { $ref: `#/components/responses/Error${status}`, description }]),
  );
  const { rateLimit } = definition;
  return {
    operationId: `${definition.method.toLowerCase()}${openApiPath(definition.path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    tags: [definition.tag],
    summary: definition.summary,
    ...(definition.description ? { description: definition.description } : {}),
    'x-mooring-access': definition.access,
    ...(rateLimit ? { 'x-mooring-rate-limit': rateLimit } : {}),
    security: definition.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
    parameters: parameters(definition),
    ...(definition.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(definition.body, 'input') } } } }
      : {}),
    responses: { [String(definition.status)]: success, ...errors },
  };
}

/** The OpenAPI 3.1 description of every route in the contract. */
export function buildOpenApiDocument(info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const definition of allRoutes()) {
    const path = (paths[openApiPath(definition.path)] ??= {});
    path[definition.method.toLowerCase()] = operation(definition);
  }
  const error = jsonSchema(errorBody, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mooring API',
      version: info.version,
      description:
        'Connect tools to a software catalog. Scripts authenticate with a bearer token (POST /v1/auth/access_token); ' +
        'people with the session cookie of POST /v1/auth/sign-in, sending the CSRF cookie’s value as `x-csrf-token` on ' +
        'every POST, PUT, PATCH and DELETE. Every route says who may call it in `x-mooring-access`.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: { type: 'apiKey', in: 'cookie', name: 'mooring_session' },
      },
      schemas: { Error: error },
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ]),
      ),
    },
  };
}
