import { Module, type DynamicModule } from '@nestjs/common';
import type { Meter } from '@opentelemetry/api';
import type { Logger } from '@mooring/platform';
import { SYNC_RUN_CONSUMER_OPTIONS, SYNC_RUN_HANDLER, SyncRunConsumer } from '@mooring/queue';
import { SyncMetrics } from '@mooring/sync';
import { RUN_LOGGER, RunJobHandler } from './run-job-handler.service.js';
import { RunMetrics } from './run-metrics.js';
import { RunRequests } from './run-requests.service.js';
import { RUN_WORKER_OPTIONS, type RunWorkerOptions } from './runs.config.js';

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

// What the api and the worker need of runs (the scheduler's part is scheduler.module.ts, which loads
// neither the sync engine nor installations).
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
        { provide: SyncMetrics, useValue: SyncMetrics.of(options.meter) },
        { provide: RunMetrics, useValue: new RunMetrics(options.meter) },
        RunJobHandler,
        SyncRunConsumer,
      ],
      exports: [SyncRunConsumer],
    };
  }
}
