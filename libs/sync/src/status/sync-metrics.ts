import type { Meter } from '@opentelemetry/api';
import type { ResourceCounts, SyncRunRecord } from '@mooring/persistence';

/**
 * Prometheus metrics of sync runs, in Ocean's vocabulary (phase and object_count_type), written
 * once per resource and once per run, never per item. Labels name the integration and kind only:
 * no tenant, installation or entity ids, so the series count stays bounded.
 */
export class SyncMetrics {
  private readonly objects;
  private readonly durations;
  private readonly runs;

  constructor(meter: Meter) {
    this.objects = meter.createCounter('mooring_sync_objects', {
      description: 'Items and entities per sync phase and outcome (Ocean object_count_type)',
    });
    this.durations = meter.createHistogram('mooring_sync_phase_duration_seconds', {
      description: 'Time a resource spent in each sync phase',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] },
    });
    this.runs = meter.createCounter('mooring_sync_runs', { description: 'Finished sync runs by status and deletion decision' });
  }

  recordResource(integration: string, kind: string, counts: ResourceCounts): void {
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
  }

  recordRun(integration: string, run: SyncRunRecord): void {
    this.runs.add(1, { integration, status: run.status, deletion: run.deletionDecision ?? 'none' });
    if (run.deleted)
      this.objects.add(run.deleted, { integration, kind: '__reconciliation__', phase: 'delete', object_count_type: 'deleted' });
    if (run.reingested) {
      this.objects.add(run.reingested, {
        integration,
        kind: '__reconciliation__',
        phase: 'load',
        object_count_type: 'reingested',
      });
    }
  }
}
