import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NestPinoLogger, type Logger, type Telemetry } from '@mooring/platform';
import { RunQueueRepository } from '@mooring/persistence';
import { LiveEventWorker } from '@mooring/live-events';
import { LiveEventConsumer, SyncRunConsumer } from '@mooring/queue';
import { observeQueueDepth } from '@mooring/runs';
import type { WorkerConfig } from './config.js';
import { WorkerModule } from './worker.module.js';

/**
 * Builds and starts the worker exactly as production runs it (tests use this too). Closing the
 * app is the SIGTERM path: running syncs stop at a page boundary and go back to the queue.
 */
export async function startWorkerApp(
  config: WorkerConfig,
  telemetry: Telemetry,
  logger: Logger,
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, telemetry, logger), {
    logger: new NestPinoLogger(logger),
  });
  const runQueue = app.get(RunQueueRepository);
  observeQueueDepth(telemetry.meter, () => runQueue.depth());
  app.get(SyncRunConsumer).start();
  app.get(LiveEventConsumer).start();
  app.get(LiveEventWorker).start();
  return app;
}
