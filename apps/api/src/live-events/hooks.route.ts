import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { api, appHookParams, hookParams, type RouteDefinition } from '@mooring/contract';
import type { WebhookDelivery } from '@mooring/integrations';
import { AppWebhookEdge, LiveEventEdge } from '@mooring/live-events';
import { DomainError, parseInput, runInScope, type Logger, type RequestScope } from '@mooring/platform';
import { requestScopeFor } from '../http/request-scope.middleware.js';
import { RouteLimits } from '../http/route-limits.js';
import { securityHeaderPairs } from '../http/web-assets.js';

type Receive = (id: string, delivery: WebhookDelivery) => Promise<{ readonly status: number; readonly body: object }>;

/**
 * Where tools deliver webhooks, served as plain Express routes rather than through a Nest
 * controller. Why raw: a tool's burst is the api's hottest path, and Nest's per-request pipeline
 * around the handler (helmet's middlewares, the request-scope middleware, two guards, the param
 * pipe, the response controller) cost about as much CPU per delivery as the edge itself. What that
 * pipeline guarantees is done here once, in its order: request id and one log line, the cross-site
 * refusal, the contract's rate limit (429 + Retry-After), the param's validation, the same security
 * headers; every refusal goes to the api's one error filter (`next(error)`), so codes, statuses and
 * shape are the same as on every route. The body arrives as raw bytes, capped (`useHookBodies`,
 * mounted before); the edge (libs/live-events) verifies before anything reads it.
 */
export function serveHookRoutes(app: NestExpressApplication, logger: Logger): void {
  const express = app.getHttpAdapter().getInstance();
  const limits = app.get(RouteLimits);
  const edge = app.get(LiveEventEdge);
  const appEdge = app.get(AppWebhookEdge);
  const securityHeaders = securityHeaderPairs();

  const serve = (definition: RouteDefinition, param: string, schema: z.ZodType<string>, receive: Receive) => {
    // Raw routes skip the access guard: only a POST the contract declares public (signed) may be one.
    if (definition.access !== 'public' || definition.method !== 'POST') {
      throw new Error(`${definition.method} ${definition.path} cannot be served raw: not a public POST`);
    }
    express.post(definition.path, (request: Request, response: Response, next: NextFunction) => {
      const started = performance.now();
      const scope = requestScopeFor(request.header('x-request-id'));
      runInScope(scope, () => {
        answer(limits, definition, request, param, schema, receive).then(
          ({ status, body }) => {
            const json = JSON.stringify(body);
            response.writeHead(status, [
              ...securityHeaders,
              'x-request-id',
              scope.requestId,
              'content-type',
              'application/json; charset=utf-8',
              'content-length',
              String(Buffer.byteLength(json)),
            ]);
            response.end(json);
            logDelivery(logger, scope, request, status, started, (body as { deliveryId?: string | null }).deliveryId);
          },
          (error: unknown) => {
            for (let i = 0; i < securityHeaders.length; i += 2) response.setHeader(securityHeaders[i]!, securityHeaders[i + 1]!);
            response.setHeader('x-request-id', scope.requestId);
            response.once('finish', () => logDelivery(logger, scope, request, response.statusCode, started, null));
            next(error);
          },
        );
      });
    });
  };

  // The platform App's one webhook first: two path segments, never a hook id.
  serve(api.hooks.deliverToApp, 'integrationId', appHookParams.shape.integrationId, (id, delivery) =>
    appEdge.receive(id, delivery),
  );
  serve(api.hooks.deliver, 'hookId', hookParams.shape.hookId, (id, delivery) => edge.receive(id, delivery));
}

/** What Nest's pipeline checked before the handler, in its order, then the edge. */
async function answer(
  limits: RouteLimits,
  definition: RouteDefinition,
  request: Request,
  param: string,
  schema: z.ZodType<string>,
  receive: Receive,
): Promise<{ readonly status: number; readonly body: object }> {
  // What the access guard refuses on every route: a browser's cross-site state change.
  if (!request.headers.authorization && request.headers['sec-fetch-site'] === 'cross-site') {
    throw new DomainError('CSRF_TOKEN_INVALID', 'Cross-site requests are refused');
  }
  const given = request.params[param];
  await limits.admit(definition, { address: request.ip ?? 'unknown', resource: String(given) });
  return receive(parseInput(schema, given, 'path'), deliveryOf(request));
}

function deliveryOf(request: Request): WebhookDelivery {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  return { rawBody, headers, receivedAt: new Date() };
}

/** One line per delivery, at the level its answer deserves: a refusal is worth an operator's look. */
function logDelivery(
  logger: Logger,
  scope: RequestScope,
  request: Request,
  status: number,
  started: number,
  deliveryId: string | null | undefined,
): void {
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const durationMs = performance.now() - started;
  logger[level]({ ...scope.logFields(), method: request.method, path: request.path, status, durationMs, deliveryId }, 'request');
}
