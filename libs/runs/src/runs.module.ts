import { Module, type DynamicModule } from '@nestjs/common';
import type { Meter } from '@opentelemetry/api';
import type { Logger } from '@mooring/platform';
import {
  RESYNC_TICK_HANDLER,
  ResyncTickConsumer,
  SYNC_RUN_CONSUMER_OPTIONS,
  SYNC_RUN_HANDLER,
  SYNC_RUN_QUEUE_OPTIONS,
  SyncRunConsumer,
  SyncRunQueue,
  TICK_CONSUMER_OPTIONS,
} from '@mooring/queue';
import { SyncMetrics } from '@mooring/sync';
import { Dispatcher } from './dispatcher.service.js';
import { RunHistoryPruner } from './run-history-pruner.service.js';
import { RUN_LOGGER, RunJobHandler } from './run-job-handler.service.js';
import { RunMetrics } from './run-metrics.js';
import { RunRequests } from './run-requests.service.js';
import { DISPATCH_OPTIONS, RUN_WORKER_OPTIONS, type DispatchOptions, type RunWorkerOptions } from './runs.config.js';
import { ScheduleReconciler } from './schedule-reconciler.service.js';
import { TickHandler } from './tick-handler.service.js';

export interface SchedulerRunsOptions extends DispatchOptions {
  readonly maxAttempts: number;
  readonly tickConcurrency: number;
  readonly meter: Meter;
}

export interface WorkerRunsOptions extends RunWorkerOptions {
  readonly concurrency: number;
  readonly lockSeconds: number;
  readonly meter: Meter;
  readonly logger: Logger;
  /** The module providing IntegrationConnections and the lifecycle (the app's InstallationsModule). */
  readonly installations: DynamicModule;
  /** The module providing the engine (the app's SyncModule). */
  readonly sync: DynamicModule;
}

// One module, three roles: what the api, the scheduler and the worker each need of runs.
@Module({})
export class RunsModule {
  /** The api: resync requests (the installations' ResyncTrigger). */
  static forApi(): DynamicModule {
    return {
      module: RunsModule,
      providers: [RunRequests],
      exports: [RunRequests],
    };
  }

  /** The scheduler: schedule ticks, the dispatcher, and schedules reconciled at boot. */
  static forScheduler(options: SchedulerRunsOptions): DynamicModule {
    return {
      module: RunsModule,
      providers: [
        { provide: DISPATCH_OPTIONS, useValue: options },
        { provide: SYNC_RUN_QUEUE_OPTIONS, useValue: { attempts: options.maxAttempts } },
        { provide: TICK_CONSUMER_OPTIONS, useValue: { concurrency: options.tickConcurrency, lockDurationMs: 30_000 } },
        { provide: RESYNC_TICK_HANDLER, useExisting: TickHandler },
        { provide: RunMetrics, useValue: new RunMetrics(options.meter) },
        SyncRunQueue,
        TickHandler,
        Dispatcher,
        ScheduleReconciler,
        ResyncTickConsumer,
        RunHistoryPruner,
      ],
      exports: [Dispatcher, ScheduleReconciler, ResyncTickConsumer, SyncRunQueue, RunHistoryPruner],
    };
  }

  /** The worker: the run consumer and what it runs. */
  static forWorker(options: WorkerRunsOptions): DynamicModule {
    return {
      module: RunsModule,
      imports: [options.sync, options.installations],
      providers: [
        { provide: RUN_WORKER_OPTIONS, useValue: options },
        { provide: RUN_LOGGER, useValue: options.logger },
        {
          provide: SYNC_RUN_CONSUMER_OPTIONS,
          useValue: { concurrency: options.concurrency, lockDurationMs: options.lockSeconds * 1000 },
        },
        { provide: SYNC_RUN_HANDLER, useExisting: RunJobHandler },
        { provide: SyncMetrics, useValue: new SyncMetrics(options.meter) },
        { provide: RunMetrics, useValue: new RunMetrics(options.meter) },
        RunJobHandler,
        SyncRunConsumer,
      ],
      exports: [SyncRunConsumer],
    };
  }
}
