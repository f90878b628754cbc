import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  /** OTLP/HTTP endpoint for traces (e.g. http://collector:4318/v1/traces); none means traces are not exported. */
  readonly tracesEndpoint?: string | undefined;
  /** An exporter of your own instead (tests use the SDK's in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

/**
 * OpenTelemetry for one process: metrics exported in Prometheus format on the process's own ops
 * port (not a server of the exporter's own), and traces exported over OTLP when configured.
 */
export class Telemetry {
  readonly meter: Meter;
  readonly tracer: Tracer;
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly meterProvider: MeterProvider;
  private readonly tracerProvider: NodeTracerProvider;

  constructor(
    readonly serviceName: string,
    options: TelemetryOptions = {},
  ) {
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName });
    this.meterProvider = new MeterProvider({ resource, readers: [this.exporter] });
    metrics.setGlobalMeterProvider(this.meterProvider);
    this.meter = this.meterProvider.getMeter('mooring');

    const spanExporter =
      options.spanExporter ?? (options.tracesEndpoint ? new OTLPTraceExporter({ url: options.tracesEndpoint }) : undefined);
    const spanProcessors: SpanProcessor[] = spanExporter ? [new BatchSpanProcessor(spanExporter)] : [];
    this.tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
    // Registers the AsyncLocalStorage context manager, so child spans find their parent across awaits.
    this.tracerProvider.register();
    this.tracer = this.tracerProvider.getTracer('mooring');
  }

  handleMetricsRequest(request: IncomingMessage, response: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(request, response);
  }

  /** Exports what is pending now, e.g. at the end of a sync run. */
  async flush(): Promise<void> {
    await Promise.all([this.meterProvider.forceFlush(), this.tracerProvider.forceFlush()]);
  }

  /** Flushes pending spans and metrics and stops exporting. */
  async shutdown(): Promise<void> {
    await Promise.all([this.meterProvider.shutdown(), this.tracerProvider.shutdown()]);
  }
}
