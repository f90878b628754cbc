import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NestPinoLogger, type Logger, type Telemetry } from '@mooring/platform';
import { ResyncTickConsumer } from '@mooring/queue';
import { Dispatcher, RunHistoryPruner, ScheduleReconciler } from '@mooring/runs/scheduler';
import type { SchedulerConfig } from './config.js';
import { SchedulerModule } from './scheduler.module.js';

/**
 * Builds and starts the scheduler exactly as production runs it (tests use this too): schedules
 * reconciled from PostgreSQL (and again whenever Redis lost them), then ticks turned into runs, then runs admitted fairly; run history
 * pruned hourly.
 */
export async function startSchedulerApp(
  config: SchedulerConfig,
  telemetry: Telemetry,
  logger: Logger,
): Promise<{ app: INestApplicationContext; schedules: { registered: number; removed: number } }> {
  const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot(config, telemetry), {
    logger: new NestPinoLogger(logger),
  });
  const reconciler = app.get(ScheduleReconciler);
  const schedules = await reconciler.reconcile();
  reconciler.watch();
  app.get(ResyncTickConsumer).start();
  await app.get(Dispatcher).start();
  app.get(RunHistoryPruner).start();
  return { app, schedules };
}
