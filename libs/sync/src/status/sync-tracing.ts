import {
  SpanStatusCode,
  context as otelContext,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

export type Phase = 'extract' | 'transform' | 'load';

/** The process's tracer when none is passed in (a no-op until a tracer provider is registered). */
export function defaultTracer(): Tracer {
  return trace.getTracer('mooring-sync');
}

/** Runs `fn` in a child span of `parent`; an error marks the span failed and propagates. */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  parent: Context,
  attributes: Attributes,
  fn: (span: Span, context: Context) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { attributes }, parent);
  const context = trace.setSpan(parent, span);
  try {
    return await otelContext.with(context, () => fn(span, context));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * When each phase of a resource first started and last ended. A resource's phases interleave page
 * by page (a page is mapped while the next is fetched and the previous written), so each phase
 * becomes one span from its first to its last activity, created when the resource ends, with the
 * time actually spent in it as `mooring.sync.busy_ms`.
 */
export class PhaseTimeline {
  private readonly windows = new Map<Phase, { start: number; end: number }>();

  mark(phase: Phase, start: number, end: number): void {
    const window = this.windows.get(phase);
    if (!window) this.windows.set(phase, { start, end });
    else window.end = Math.max(window.end, end);
  }

  emit(tracer: Tracer, parent: Context, attributes: Readonly<Record<Phase, Attributes>>): void {
    for (const phase of ['extract', 'transform', 'load'] as const) {
      const window = this.windows.get(phase);
      if (!window) continue;
      tracer.startSpan(`sync.${phase}`, { startTime: window.start, attributes: attributes[phase] }, parent).end(window.end);
    }
  }
}

/** Wall-clock milliseconds with sub-millisecond precision, as span times take them. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
