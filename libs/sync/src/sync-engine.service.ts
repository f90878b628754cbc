import { Injectable } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import { IntegrationRegistry } from '@mooring/integrations';
import type { Logger } from '@mooring/platform';
import {
  BlueprintRepository,
  InstallationRepository,
  SyncCatalogRepository,
  SyncRunEventRepository,
  SyncRunRepository,
  type SyncRunRecord,
} from '@mooring/persistence';
import type { ConnectionProvider, SyncRunIds } from './run-context.js';
import { runSync, type RunOptions } from './run-sync.js';
import type { RunOutcome } from './status/run-outcome.js';
import type { SyncMetrics } from './status/sync-metrics.js';

/** `runSync` with its repositories and the process's integrations injected, for the worker's job processor. */
@Injectable()
export class SyncEngine {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly runs: SyncRunRepository,
    private readonly events: SyncRunEventRepository,
    private readonly catalog: SyncCatalogRepository,
    private readonly blueprints: BlueprintRepository,
    private readonly integrations: IntegrationRegistry,
  ) {}

  /** A pending run to enqueue (its id is all a job carries). */
  createRun(orgId: string, installationId: string, trigger: string): Promise<SyncRunRecord> {
    return this.runs.create(orgId, installationId, trigger);
  }

  run(
    ids: SyncRunIds,
    connect: ConnectionProvider,
    options: RunOptions & { logger?: Logger; metrics?: SyncMetrics; tracer?: Tracer } = {},
  ): Promise<RunOutcome> {
    const { signal, isTransient, logger, metrics, tracer } = options;
    return runSync(
      ids,
      {
        installations: this.installations,
        runs: this.runs,
        events: this.events,
        catalog: this.catalog,
        blueprints: this.blueprints,
        integrations: (id) => this.integrations.get(id),
        connect,
        ...(logger ? { logger } : {}),
        ...(metrics ? { metrics } : {}),
        ...(tracer ? { tracer } : {}),
      },
      { ...(signal ? { signal } : {}), ...(isTransient ? { isTransient } : {}) },
    );
  }
}
