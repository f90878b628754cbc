import type { Meter } from '@opentelemetry/api';

export const LIVE_EVENTS_METRICS = Symbol('LIVE_EVENTS_METRICS');

/**
 * Live events in Prometheus, in Ocean's vocabulary with a `live` phase: `mooring_sync_object_count`
 * {integration, kind, phase="live", object_count_type} for what applying did per kind, and
 * `mooring_live_deliveries` {integration, outcome} for what the edge answered. Labels never carry
 * tenant, installation or delivery ids.
 */
export class LiveEventMetrics {
  private readonly objects;
  private readonly deliveries;
  private readonly durations;

  constructor(meter: Meter) {
    this.objects = meter.createCounter('mooring_sync_object_count', {
      description: 'Items and entities per kind, sync phase and outcome (Ocean object_count_type)',
    });
    this.deliveries = meter.createCounter('mooring_live_deliveries', {
      description: 'Webhook deliveries at the edge by outcome: received, refused, duplicate',
    });
    this.durations = meter.createHistogram('mooring_sync_duration_seconds', {
      description: 'Time spent per kind and sync phase (resync: a resource or, for __runtime__, a whole run)',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] },
    });
  }

  edge(labels: { integration: string }, outcome: 'received' | 'refused' | 'duplicate'): void {
    this.deliveries.add(1, { ...labels, outcome });
  }

  applied(integration: string, kind: string, counts: Readonly<Record<string, number>>): void {
    for (const [type, value] of Object.entries(counts)) {
      if (value) this.objects.add(value, { integration, kind, phase: 'live', object_count_type: type });
    }
  }

  /** From a delivery's arrival to its changes written. */
  delay(integration: string, seconds: number): void {
    this.durations.record(seconds, { integration, kind: '__live__', phase: 'live' });
  }
}
