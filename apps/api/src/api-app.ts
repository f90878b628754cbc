import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestPinoLogger, type Logger } from '@mooring/platform';
import { AppModule, type InstallationsOverrides } from './app.module.js';
import type { ApiConfig } from './config.js';

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
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  return app;
}
