import { HttpCode, RequestMapping, RequestMethod, SetMetadata, applyDecorators } from '@nestjs/common';
import type { RouteDefinition } from '@mooring/contract';
import { Allow, PublicRoute } from '../auth/route-access.decorator.js';

export const ENDPOINT = 'mooring:endpoint';

/**
 * Serves a route of the API contract (`api.*` in @mooring/contract): its method, path, success
 * status and who may call it come from there, so the api, the web app and /v1/openapi.json
 * cannot disagree.
 */
export function Endpoint(definition: RouteDefinition): MethodDecorator {
  const redirect = definition.status >= 300 && definition.status < 400;
  return applyDecorators(
    RequestMapping({ path: definition.path, method: RequestMethod[definition.method] }),
    ...(redirect ? [] : [HttpCode(definition.status)]),
    definition.access === 'public' ? PublicRoute() : Allow(definition.access),
    SetMetadata(ENDPOINT, definition),
  );
}
