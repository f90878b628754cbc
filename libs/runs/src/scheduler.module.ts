import { Module, type DynamicModule } from '@nestjs/common';
import type { Meter } from '@opentelemetry/api';
import {
  RESYNC_TICK_HANDLER,
  ResyncTickConsumer,
  SYNC_RUN_QUEUE_OPTIONS,
  SyncRunQueue,
  TICK_CONSUMER_OPTIONS,
} from '@mooring/queue';
import { Dispatcher } from './dispatcher.service.js';
import { RunHistoryPruner } from './run-history-pruner.service.js';
import { RunMetrics } from './run-metrics.js';
import { DISPATCH_OPTIONS, type DispatchOptions } from './runs.config.js';
import { ScheduleReconciler } from './schedule-reconciler.service.js';
import { TickHandler } from './tick-handler.service.js';

export interface SchedulerRunsOptions extends DispatchOptions {
  readonly maxAttempts: number;
  readonly tickConcurrency: number;
  readonly meter: Meter;
}

/** The scheduler's part of runs: schedule ticks, the dispatcher, schedules reconciled at boot, history pruning. */
@Module({})
export class RunsSchedulerModule {
  static forRoot(options: SchedulerRunsOptions): DynamicModule {
    return {
      module: RunsSchedulerModule,
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
}
