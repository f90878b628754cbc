import type { Meter } from '@opentelemetry/api';
import type { RunQueueDepth, TickOutcome } from '@mooring/persistence';

const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400];

/**
 * Metrics of runs around the engine: how long they waited for a worker, how long they ran, how deep
 * the run queue is, what schedule ticks did. Labels are bounded (integration, status, outcome).
 */
export class RunMetrics {
  private readonly waits;
  private readonly durations;
  private readonly ticks;
  private readonly retries;

  constructor(meter: Meter) {
    this.waits = meter.createHistogram('mooring_sync_run_wait_seconds', {
      description: 'From a run’s due time (or request) to a worker starting it',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.durations = meter.createHistogram('mooring_sync_run_duration_seconds', {
      description: 'How long a run attempt took, by how it ended',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.ticks = meter.createCounter('mooring_schedule_ticks', { description: 'Schedule ticks by what they produced' });
    this.retries = meter.createCounter('mooring_sync_run_retries', { description: 'Run attempts handed to a retry, by reason' });
  }

  waited(integration: string, seconds: number): void {
    this.waits.record(Math.max(0, seconds), { integration });
  }

  ran(integration: string, status: string, seconds: number): void {
    this.durations.record(seconds, { integration, status });
  }

  tick(outcome: TickOutcome['outcome']): void {
    this.ticks.add(1, { outcome });
  }

  retried(reason: 'transient' | 'error'): void {
    this.retries.add(1, { reason });
  }
}

/** The run queue's depth across organizations, read from PostgreSQL when /metrics is scraped. */
export function observeQueueDepth(meter: Meter, depth: () => Promise<RunQueueDepth>): void {
  const gauge = meter.createObservableGauge('mooring_sync_queue_depth', {
    description: 'Runs waiting for a slot, admitted but not started, and running (all organizations)',
  });
  const oldest = meter.createObservableGauge('mooring_sync_queue_oldest_waiting_seconds', {
    description: 'How long the oldest run waiting for a slot has waited',
    unit: 's',
  });
  meter.addBatchObservableCallback(
    async (result) => {
      const current = await depth();
      result.observe(gauge, current.waiting, { state: 'waiting' });
      result.observe(gauge, current.dispatched, { state: 'dispatched' });
      result.observe(gauge, current.running, { state: 'running' });
      result.observe(oldest, current.oldestWaitingAt ? (Date.now() - current.oldestWaitingAt.getTime()) / 1000 : 0);
    },
    [gauge, oldest],
  );
}
