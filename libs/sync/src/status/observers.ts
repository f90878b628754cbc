import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@mooring/platform';
import { EventLogObserver } from './event-log-observer.js';
import { LogObserver } from './log-observer.js';
import type { RunEventStore } from './run-event-log.js';
import type { RunLedger } from './run-ledger.js';
import { emitTo, type Emit, type RunObserver } from './stage-events.js';
import { MetricsObserver, type SyncMetrics } from './sync-metrics.js';
import { TracingObserver, defaultTracer } from './sync-tracing.js';

/**
 * A run's observers, in the order they hear each stage event: the ledger first (its rows are the
 * run's durable state), then the event log, the process's log, metrics and traces.
 */
export function observersOf(
  ids: { readonly orgId: string; readonly installationId: string; readonly runId: string },
  deps: { readonly events: RunEventStore; readonly logger?: Logger; readonly metrics?: SyncMetrics; readonly tracer?: Tracer },
  ledger: RunLedger,
): Emit {
  const observers: RunObserver[] = [ledger, new EventLogObserver(deps.events, ids)];
  if (deps.logger) observers.push(new LogObserver(deps.logger, ids));
  if (deps.metrics) observers.push(new MetricsObserver(deps.metrics));
  observers.push(new TracingObserver(deps.tracer ?? defaultTracer(), ids));
  return emitTo(observers);
}
