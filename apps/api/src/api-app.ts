import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { NestPinoLogger, type Logger } from '@mooring/platform';
import { AppModule, type InstallationsOverrides } from './app.module.js';
import type { ApiConfig } from './config.js';
import { useHookBodies, useJsonBodies } from './http/json-body.js';
import { DEFAULT_WEB_APP_DIR, mountWebAssets } from './http/web-assets.js';
import { serveHookRoutes } from './live-events/hooks.route.js';

/**
 * API answers are private and revalidated on every use: an unchanged one costs a 304 (Express's
 * ETag). fetch() adds `Cache-Control: no-cache` to any request a script gives If-None-Match, which
 * would make Express ignore the validator, so a conditional GET is answered conditionally anyway.
 */
function conditionalGets(request: Request, response: Response, next: NextFunction): void {
  if (request.method === 'GET' && request.path.startsWith('/v1/')) {
    response.setHeader('Cache-Control', 'private, no-cache');
    if (request.headers['if-none-match']) delete request.headers['cache-control'];
  }
  next();
}

/** Builds the api exactly as production runs it; tests use this too. */
export async function createApiApp(
  config: ApiConfig,
  logger: Logger,
  installations: InstallationsOverrides = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, installations), {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    bodyParser: false,
  });
  useHookBodies(app, config.liveEvents.bodyLimitBytes);
  // Before everything else the api mounts: the hook routes skip the per-request pipeline (see there).
  serveHookRoutes(app, logger);
  useJsonBodies(app, config.http.bodyLimitBytes);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  mountWebAssets(app, config.http.webAppDir ?? DEFAULT_WEB_APP_DIR);
  app.use(conditionalGets);
  return app;
}
