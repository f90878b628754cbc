import type { Meter } from '@opentelemetry/api';
import type { ResourceCounts, SyncRunRecord } from '@mooring/persistence';
import type { RunObserver, StageEvent } from './stage-events.js';

/** Ocean's pseudo-kinds for what is not one resource: the whole run, and reconciliation. */
export const RUNTIME_KIND = '__runtime__';
export const RECONCILIATION_KIND = '__reconciliation__';
/** Live events' pseudo-kind for the delay from delivery to applied. */
export const LIVE_KIND = '__live__';

/**
 * Prometheus metrics of sync runs in Ocean's vocabulary (docs/operations.md maps the names):
 * `duration_seconds` {kind, phase}, `object_count` {kind, phase, object_count_type} and `success`
 * {kind, phase}, prefixed `mooring_sync_` and labelled with the integration; live events record
 * into the same instruments with phase `live` (this class owns them; `SyncMetrics.of` per meter). Written once per
 * resource and once per run, never per item. No tenant, installation, run or entity ids in labels,
 * and `kind` without Ocean's `-index` suffix, so the series count stays bounded by integrations × kinds.
 */
export class SyncMetrics {
  private static readonly byMeter = new WeakMap<Meter, SyncMetrics>();
  private readonly objects;
  private readonly durations;
  private readonly outcomes;

  /** The meter's one SyncMetrics: resyncs and live events record into the same instruments, registered once. */
  static of(meter: Meter): SyncMetrics {
    let metrics = SyncMetrics.byMeter.get(meter);
    if (!metrics) {
      metrics = new SyncMetrics(meter);
      SyncMetrics.byMeter.set(meter, metrics);
    }
    return metrics;
  }

  private constructor(meter: Meter) {
    this.objects = meter.createCounter('mooring_sync_object_count', {
      description: 'Items and entities per kind, sync phase and outcome (Ocean object_count_type)',
    });
    this.durations = meter.createHistogram('mooring_sync_duration_seconds', {
      description: 'Time spent per kind and sync phase (resync: a resource or, for __runtime__, a whole run)',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] },
    });
    this.outcomes = meter.createCounter('mooring_sync_success', {
      description: 'Finished resources (phase resync) and runs (kind __runtime__) by success: "1" succeeded, "0" did not',
    });
  }

  /** One resource at its end: its counts per phase, its phase times and whether it completed. */
  recordResource(
    integration: string,
    kind: string,
    counts: ResourceCounts,
    outcome: { readonly status: string; readonly durationMs: number },
  ): void {
    const count = (phase: string, type: string, value: number) => {
      if (value) this.objects.add(value, { integration, kind, phase, object_count_type: type });
    };
    count('extract', 'raw_extracted', counts.fetched);
    count('extract', 'failed', counts.fetchFailed);
    count('transform', 'transformed', counts.transformed);
    count('transform', 'filtered_out', counts.filteredOut);
    count('transform', 'failed', counts.transformFailed);
    count('load', 'loaded', counts.ingested);
    count('load', 'skipped', counts.notChanged);
    count('load', 'failed', counts.ingestFailed);
    this.durations.record(counts.extractMs / 1000, { integration, kind, phase: 'extract' });
    this.durations.record(counts.transformMs / 1000, { integration, kind, phase: 'transform' });
    this.durations.record(counts.loadMs / 1000, { integration, kind, phase: 'load' });
    this.durations.record(outcome.durationMs / 1000, { integration, kind, phase: 'resync' });
    this.outcomes.add(1, { integration, kind, phase: 'resync', success: outcome.status === 'completed' ? '1' : '0' });
  }

  /** What applying live events did to one kind (phase `live`), as Ocean's object_count_type. */
  recordLive(integration: string, kind: string, counts: Readonly<Record<string, number>>): void {
    for (const [type, value] of Object.entries(counts)) {
      if (value) this.objects.add(value, { integration, kind, phase: 'live', object_count_type: type });
    }
  }

  /** From a delivery's arrival at the edge to its batch applied (kind `__live__`, phase `live`). */
  recordLiveDelay(integration: string, seconds: number): void {
    this.durations.record(seconds, { integration, kind: LIVE_KIND, phase: 'live' });
  }

  /** The run at its end: reconciliation's counts and time, and the run's own time and success. */
  recordRun(integration: string, run: SyncRunRecord): void {
    const reconciliation = { integration, kind: RECONCILIATION_KIND };
    if (run.reingested) this.objects.add(run.reingested, { ...reconciliation, phase: 'load', object_count_type: 'loaded' });
    if (run.reingestFailed)
      this.objects.add(run.reingestFailed, { ...reconciliation, phase: 'load', object_count_type: 'failed' });
    if (run.deleted) this.objects.add(run.deleted, { ...reconciliation, phase: 'delete', object_count_type: 'deleted' });
    if (run.reconcileMs !== null) {
      this.durations.record(run.reconcileMs / 1000, { ...reconciliation, phase: 'delete' });
      this.outcomes.add(1, { ...reconciliation, phase: 'delete', success: run.deleteFailed ? '0' : '1' });
    }
    if (run.startedAt && run.finishedAt) {
      const seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
      this.durations.record(seconds, { integration, kind: RUNTIME_KIND, phase: 'resync' });
    }
    this.outcomes.add(1, { integration, kind: RUNTIME_KIND, phase: 'resync', success: run.status === 'completed' ? '1' : '0' });
  }
}

/** Records each finished resource and each run this attempt ended. */
export class MetricsObserver implements RunObserver {
  private integration = '';

  constructor(private readonly metrics: SyncMetrics) {}

  observe(event: StageEvent): void {
    if (event.type === 'run.started') this.integration = event.integration;
    if (event.type === 'resource.finished') {
      const { resource, status, durationMs } = event;
      this.metrics.recordResource(this.integration, resource.kind, event.tally.counts, { status, durationMs });
    }
    if (event.type === 'run.finished' && event.started && 'record' in event.outcome) {
      this.metrics.recordRun(this.integration, event.outcome.record);
    }
  }
}
