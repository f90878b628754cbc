import type { Context, Tracer } from '@opentelemetry/api';
import { EntityValidator } from '@mooring/catalog';
import { withInstallationKinds, type IntegrationConnection, type IntegrationDefinition } from '@mooring/integrations';
import { DomainError, isDomainError, type Logger } from '@mooring/platform';
import {
  notReconciled,
  type BlueprintRepository,
  InstallationRecord,
  InstallationRepository,
  SyncCatalogRepository,
  SyncRunRecord,
  SyncRunRepository,
  SyncRunResourceRecord,
  SyncWriter,
} from '@mooring/persistence';
import { BlueprintCache } from './load/blueprint-cache.js';
import type { RunLoadContext } from './load/resource-loader.js';
import { parseMapping, type ParsedMapping } from './mapping/index.js';
import { RunEventLog } from './status/run-event-log.js';
import { RunLedger } from './status/run-ledger.js';
import type { SyncMetrics } from './status/sync-metrics.js';

/** The ids a run is started with: the worker's job carries nothing else. */
export interface SyncRunIds {
  readonly orgId: string;
  readonly installationId: string;
  readonly runId: string;
}

/**
 * Opens the installation's connection to its tool: decrypted credentials and the outbound fetch
 * (production: issue 4's SSRF-guarded fetch). Aborting `signal` must abort its requests.
 */
export type ConnectionProvider = (installation: InstallationRecord, signal: AbortSignal) => Promise<IntegrationConnection>;

export interface SyncDependencies {
  readonly installations: Pick<InstallationRepository, 'find'>;
  readonly runs: SyncRunRepository;
  readonly catalog: SyncCatalogRepository;
  readonly blueprints: Pick<BlueprintRepository, 'findMany'>;
  readonly connect: ConnectionProvider;
  /** The integrations the process offers (its IntegrationRegistry's `get`). */
  readonly integrations: (id: string) => IntegrationDefinition;
  readonly logger?: Logger;
  /** Where run and resource metrics go (the process's OpenTelemetry meter, served on /metrics). */
  readonly metrics?: SyncMetrics;
  /** Traces a span per run and per phase (the process's Telemetry tracer); defaults to the global one. */
  readonly tracer?: Tracer;
}

/** Where a run's spans go: the tracer and the run span's context, the parent of every child span. */
export interface RunTrace {
  readonly tracer: Tracer;
  readonly context: Context;
}

export interface RunContext {
  readonly ids: SyncRunIds;
  readonly ledger: RunLedger;
  readonly installation: InstallationRecord;
  readonly integration: IntegrationDefinition;
  readonly mapping: ParsedMapping;
  readonly load: RunLoadContext;
  readonly writers: ReadonlyMap<number, SyncWriter>;
  readonly attempt: number;
  /** Asked for by a user who confirmed a drop in fetched items is real: the drop rules are lifted. */
  readonly acceptFetchDrop: boolean;
  /** Resources a crashed attempt of this run completed: not fetched again (same mapping only). */
  readonly completed: ReadonlyMap<number, SyncRunResourceRecord>;
  readonly metrics: SyncMetrics | undefined;
  readonly events: RunEventLog;
  readonly trace: RunTrace;
  /** Whether an extraction error may pass, so the run is retried rather than ended failed. */
  readonly isTransient?: ((error: unknown) => boolean) | undefined;
}

/**
 * Moves the run to running (a new attempt if a crashed worker left it running) with its mapping
 * parsed and compiled once. Returns the run's record instead when it has already ended (a replayed
 * job does nothing) or cannot start (recorded as failed with the reason).
 */
export async function startRun(
  ids: SyncRunIds,
  deps: SyncDependencies,
  trace: RunTrace,
): Promise<{ context: RunContext } | { record: SyncRunRecord }> {
  const ledger = new RunLedger(deps.runs, deps.catalog, ids);
  const events = new RunEventLog(deps.runs, ids);
  const existing = await ledger.find();
  if (!existing || existing.installationId !== ids.installationId) {
    throw new DomainError('NOT_FOUND', `Sync run ${ids.runId} not found`, { resource: 'sync_run', id: ids.runId });
  }
  if (existing.status !== 'pending' && existing.status !== 'running') return { record: existing };

  let installation: InstallationRecord;
  let integration: IntegrationDefinition;
  let mapping: ParsedMapping;
  try {
    const found = await deps.installations.find(ids.orgId, ids.installationId);
    if (!found) throw new DomainError('NOT_FOUND', `Installation ${ids.installationId} not found`);
    installation = found;
    integration = withInstallationKinds(deps.integrations(installation.integrationId), installation.settings);
    mapping = await parseMapping(installation.mapping, { integration });
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const record = await ledger.finish(failedBeforeStart(error));
    await events.record({
      level: 'error',
      type: 'run.failed',
      message: `the run could not start: ${error.message}`,
      details: { errorCode: error.code },
    });
    return { record };
  }

  const started = await ledger.begin(
    mapping.hash,
    mapping.resources.map((r) => ({ resourceIndex: r.index, kind: r.kind, blueprint: r.blueprint })),
  );
  if (!started) return { record: (await ledger.find())! };
  const kept = mapping.resources.filter((r) => started.completed.some((c) => c.resourceIndex === r.index)).map((r) => r.key);
  await events.record(
    {
      level: 'info',
      type: 'run.started',
      message: `attempt ${started.attempt} started (${existing.trigger}) with ${mapping.resources.length} resource(s)`,
      details: {
        attempt: started.attempt,
        trigger: existing.trigger,
        integration: integration.id,
        resources: mapping.resources.map((r) => r.key),
      },
    },
    ...(started.attempt > 1
      ? [
          {
            level: 'warn' as const,
            type: 'run.resumed',
            message: kept.length
              ? `a previous attempt did not finish; keeping the ${kept.length} resource(s) it completed (${kept.join(', ')}) and redoing the rest`
              : started.keysLost
                ? 'a previous attempt did not finish, and keys its completed resources saw are gone (a crash or a restore lost them): starting over, every resource is fetched again'
                : 'a previous attempt did not finish; starting over (nothing it did is reused)',
            details: { attempt: started.attempt, keptResources: kept, keysLost: started.keysLost },
          },
        ]
      : []),
  );
  const load: RunLoadContext = {
    orgId: ids.orgId,
    runId: ids.runId,
    catalog: deps.catalog,
    blueprints: new BlueprintCache(deps.blueprints, ids.orgId),
    validator: new EntityValidator(),
    merge: mapping.config.enableMergeEntity,
    createMissingRelatedEntities: mapping.config.createMissingRelatedEntities,
  };
  const writers = new Map(mapping.resources.map((r) => [r.index, { installationId: ids.installationId, resourceKey: r.key }]));
  return {
    context: {
      ids,
      ledger,
      installation,
      integration,
      mapping,
      load,
      writers,
      attempt: started.attempt,
      acceptFetchDrop: existing.acceptFetchDrop,
      completed: new Map(started.completed.map((resource) => [resource.resourceIndex, resource])),
      metrics: deps.metrics,
      events,
      trace,
    },
  };
}

function failedBeforeStart(error: DomainError) {
  return {
    status: 'failed' as const,
    errorCode: error.code,
    errorMessage: error.message,
    reconciliation: notReconciled('the run did not start'),
  };
}
