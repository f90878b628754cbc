import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { RequestScope, runInScope, type Logger } from '@mooring/platform';
import { LOGGER } from '../logger.token.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** A request's scope, under the caller's `X-Request-Id` when it is a plausible id, else a new one. */
export function requestScopeFor(given: string | undefined): RequestScope {
  return new RequestScope(given && REQUEST_ID.test(given) ? given : undefined);
}

/**
 * Opens the request's scope (correlation id, later the tenant) around everything that follows,
 * echoes the id back, and logs one line per request when it finishes.
 */
@Injectable()
export class RequestScopeMiddleware implements NestMiddleware {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const scope = requestScopeFor(request.header('x-request-id'));
    response.setHeader('x-request-id', scope.requestId);
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.info(
        { ...scope.logFields(), method: request.method, path: request.path, status: response.statusCode, durationMs },
        'request',
      );
    });
    runInScope(scope, next);
  }
}
