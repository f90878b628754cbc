import type { Meter } from '@opentelemetry/api';
import { SyncMetrics } from '@mooring/sync';

export const LIVE_EVENTS_METRICS = Symbol('LIVE_EVENTS_METRICS');

/**
 * Live events in Prometheus, in Ocean's vocabulary with a `live` phase: `mooring_sync_object_count`
 * {integration, kind, phase="live", object_count_type} for what applying did per kind, and
 * `mooring_live_deliveries` {integration, outcome} for what the edge answered. Labels never carry
 * tenant, installation or delivery ids.
 */
export class LiveEventMetrics {
  private readonly deliveries;
  /** The resync's instruments (one owner): applied counts and delays are recorded there with phase `live`. */
  private readonly sync: SyncMetrics;

  constructor(meter: Meter) {
    this.sync = SyncMetrics.of(meter);
    this.deliveries = meter.createCounter('mooring_live_deliveries', {
      description:
        'Webhook deliveries at the edge by outcome: received, refused, duplicate, ignored (an App delivery for no installation)',
    });
  }

  edge(labels: { integration: string }, outcome: 'received' | 'refused' | 'duplicate' | 'ignored'): void {
    this.deliveries.add(1, { ...labels, outcome });
  }

  applied(integration: string, kind: string, counts: Readonly<Record<string, number>>): void {
    this.sync.recordLive(integration, kind, counts);
  }

  /** From a delivery's arrival to its changes written. */
  delay(integration: string, seconds: number): void {
    this.sync.recordLiveDelay(integration, seconds);
  }
}
