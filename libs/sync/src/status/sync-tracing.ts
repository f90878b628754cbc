import {
  SpanStatusCode,
  context as otelContext,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ParsedResource } from '../mapping/index.js';
import type { RunObserver, StageEvent } from './stage-events.js';

/** The process's tracer when none is passed in (a no-op until a tracer provider is registered). */
export function defaultTracer(): Tracer {
  return trace.getTracer('mooring-sync');
}

/**
 * One trace per run: `sync.run` (its ids, integration, status and attempt), a `sync.resource` span
 * per resource with a span per phase (`sync.extract|transform|load`, from the phase's first start
 * to its last end, with the time actually spent in it as `mooring.sync.busy_ms`), then
 * `sync.reingest` and `sync.reconcile`. The run span's parent is the context active when it starts.
 */
export class TracingObserver implements RunObserver {
  private readonly run: Span;
  private readonly context: Context;
  private resource: { span: Span; context: Context; attributes: Attributes } | undefined;
  /** The reingest or reconcile span in progress. */
  private step: Span | undefined;

  constructor(
    private readonly tracer: Tracer,
    ids: { readonly orgId: string; readonly installationId: string; readonly runId: string },
  ) {
    const parent = otelContext.active();
    this.run = tracer.startSpan(
      'sync.run',
      { attributes: { 'mooring.org_id': ids.orgId, 'mooring.installation_id': ids.installationId, 'mooring.run_id': ids.runId } },
      parent,
    );
    this.context = trace.setSpan(parent, this.run);
  }

  observe(event: StageEvent): void {
    switch (event.type) {
      case 'run.started':
        this.run.setAttribute('mooring.integration', event.integration);
        return;
      case 'resource.started': {
        const attributes = resourceAttributes(event.resource);
        const span = this.tracer.startSpan('sync.resource', { attributes }, this.context);
        this.resource = { span, context: trace.setSpan(this.context, span), attributes };
        return;
      }
      case 'resource.finished':
        return this.finishResource(event);
      case 'resource.refused':
        this.fail(this.resource?.span, event.error);
        this.resource?.span.end();
        this.resource = undefined;
        return;
      case 'reingest.started':
        this.step = this.tracer.startSpan('sync.reingest', {}, this.context);
        return;
      case 'reingest.finished':
        return this.endStep({
          'mooring.sync.reingested': event.result.reingested,
          'mooring.sync.reingest_failed': event.result.reingestFailed,
        });
      case 'reconcile.started':
        this.step = this.tracer.startSpan('sync.reconcile', {}, this.context);
        return;
      case 'deletion.decided':
        return this.endStep({
          'mooring.sync.deletion_decision': event.deletion.decision,
          'mooring.sync.deleted': event.deletion.deleted,
          'mooring.sync.delete_failed': event.deletion.deleteFailed,
        });
      case 'run.finished': {
        const outcome = event.outcome;
        this.run.setAttribute('mooring.sync.outcome', outcome.kind);
        if ('record' in outcome) {
          this.run.setAttributes({
            'mooring.sync.status': outcome.record.status,
            'mooring.sync.attempt': outcome.record.attempt,
          });
          if (outcome.kind === 'failed') this.run.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code });
        }
        // A superseded attempt stops wherever it learns so.
        this.resource?.span.end();
        this.step?.end();
        this.run.end();
        return;
      }
      case 'run.interrupted':
        for (const open of [this.resource?.span, this.step]) {
          this.fail(open, event.error);
          open?.end();
        }
        this.fail(this.run, event.error);
        this.run.end();
        return;
      default:
        return;
    }
  }

  private finishResource(event: Extract<StageEvent, { type: 'resource.finished' }>): void {
    if (!this.resource) return;
    const { span, context, attributes } = this.resource;
    this.resource = undefined;
    span.setAttribute('mooring.sync.status', event.status);
    if (event.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: event.error ?? 'failed' });
    const c = event.tally.counts;
    const phases = {
      extract: { 'mooring.sync.busy_ms': c.extractMs, 'mooring.sync.fetched': c.fetched, 'mooring.sync.failed': c.fetchFailed },
      transform: {
        'mooring.sync.busy_ms': c.transformMs,
        'mooring.sync.transformed': c.transformed,
        'mooring.sync.filtered_out': c.filteredOut,
        'mooring.sync.failed': c.transformFailed,
      },
      load: {
        'mooring.sync.busy_ms': c.loadMs,
        'mooring.sync.loaded': c.ingested,
        'mooring.sync.skipped': c.notChanged,
        'mooring.sync.failed': c.ingestFailed,
      },
    };
    for (const phase of ['extract', 'transform', 'load'] as const) {
      const window = event.tally.timeline.window(phase);
      if (!window) continue;
      this.tracer
        .startSpan(`sync.${phase}`, { startTime: window.start, attributes: { ...attributes, ...phases[phase] } }, context)
        .end(window.end);
    }
    span.end();
  }

  private endStep(attributes: Attributes): void {
    this.step?.setAttributes(attributes);
    this.step?.end();
    this.step = undefined;
  }

  private fail(span: Span | undefined, error: unknown): void {
    span?.recordException(error instanceof Error ? error : String(error));
    span?.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
}

function resourceAttributes(resource: ParsedResource): Attributes {
  return {
    'mooring.sync.kind': resource.kind,
    'mooring.sync.kind_index': resource.index,
    ...(resource.blueprint ? { 'mooring.sync.blueprint': resource.blueprint } : {}),
  };
}
