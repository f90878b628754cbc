import type { Tracer } from '@opentelemetry/api';
import { EntityValidator } from '@mooring/catalog';
import { withInstallationKinds, type IntegrationConnection, type IntegrationDefinition } from '@mooring/integrations';
import { DomainError, isDomainError, type Logger } from '@mooring/platform';
import {
  notReconciled,
  type BlueprintRepository,
  type InstallationRecord,
  type InstallationRepository,
  type SyncCatalogRepository,
  type SyncRunRepository,
  type SyncRunResourceRecord,
  type SyncWriter,
} from '@mooring/persistence';
import { BlueprintCache } from './map/blueprint-cache.js';
import type { RunLoadContext } from './load/resource-loader.js';
import { parseMapping, type ParsedMapping } from './mapping/index.js';
import { ended, type RunOutcome } from './status/run-outcome.js';
import type { RunEventStore } from './status/run-event-log.js';
import type { RunLedger } from './status/run-ledger.js';
import type { Emit } from './status/stage-events.js';
import type { SyncMetrics } from './status/sync-metrics.js';

/** The ids a run is started with: the worker's job carries nothing else. */
export interface SyncRunIds {
  readonly orgId: string;
  readonly installationId: string;
  readonly runId: string;
}

/**
 * Opens the installation's connection to its tool: decrypted credentials and the outbound fetch
 * (production: the SSRF-guarded fetch). Aborting `signal` must abort its requests.
 */
export type ConnectionProvider = (installation: InstallationRecord, signal: AbortSignal) => Promise<IntegrationConnection>;

export interface SyncDependencies {
  readonly installations: Pick<InstallationRepository, 'find'>;
  readonly runs: SyncRunRepository;
  /** Where the run's event log is written. */
  readonly events: RunEventStore;
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

export interface RunContext {
  readonly ids: SyncRunIds;
  readonly ledger: RunLedger;
  readonly installation: InstallationRecord;
  readonly integration: IntegrationDefinition;
  readonly mapping: ParsedMapping;
  readonly load: RunLoadContext;
  readonly writers: ReadonlyMap<number, SyncWriter>;
  readonly attempt: number;
  /** When the run first started: its listings began no earlier (a resumed attempt keeps the first start). */
  readonly startedAt: Date;
  /** Asked for by a user who confirmed a drop in fetched items is real: the drop rules are lifted. */
  readonly acceptFetchDrop: boolean;
  /** Resources a crashed attempt of this run completed: not fetched again (same mapping only). */
  readonly completed: ReadonlyMap<number, SyncRunResourceRecord>;
  /** Tells the run's observers (ledger, event log, log, metrics, traces) what happens. */
  readonly emit: Emit;
  /** Whether an extraction error may pass, so the run is retried rather than ended failed. */
  readonly isTransient?: ((error: unknown) => boolean) | undefined;
}

/**
 * Moves the run to running (a new attempt if a crashed worker left it running) with its mapping
 * parsed and compiled once. Returns the outcome instead when the run has already ended (a replayed
 * job does nothing) or cannot start (recorded as failed with the reason).
 */
export async function startRun(
  ids: SyncRunIds,
  deps: SyncDependencies,
  ledger: RunLedger,
  emit: Emit,
): Promise<{ context: RunContext } | { outcome: RunOutcome }> {
  const existing = await ledger.find();
  if (!existing || existing.installationId !== ids.installationId) {
    throw new DomainError('NOT_FOUND', `Sync run ${ids.runId} not found`, { resource: 'sync_run', id: ids.runId });
  }
  if (existing.status !== 'pending' && existing.status !== 'running') return { outcome: ended(existing) };

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
    const outcome = record === 'superseded' ? ended((await ledger.find())!) : ended(record);
    await emit({ type: 'run.refused', error, outcome });
    return { outcome };
  }

  const startedAt = new Date();
  const started = await ledger.begin(
    mapping.hash,
    mapping.resources.map((r) => ({ resourceIndex: r.index, kind: r.kind, blueprint: r.blueprint })),
  );
  if (!started) return { outcome: ended((await ledger.find())!) };
  await emit({
    type: 'run.started',
    attempt: started.attempt,
    trigger: existing.trigger,
    integration: integration.id,
    resources: mapping.resources,
    kept: mapping.resources.filter((r) => started.completed.some((c) => c.resourceIndex === r.index)).map((r) => r.key),
    keysLost: started.keysLost,
  });
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
      startedAt: existing.startedAt ?? startedAt,
      acceptFetchDrop: existing.acceptFetchDrop,
      completed: new Map(started.completed.map((resource) => [resource.resourceIndex, resource])),
      emit,
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
