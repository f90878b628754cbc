import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * OpenTelemetry metrics for one process, exported in Prometheus format on the process's own
 * HTTP port (the api's ops port, the scheduler's and worker's ops ports) rather than a server of
 * the exporter's own.
 */
export class Telemetry {
  readonly meter: Meter;
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider: MeterProvider;

  constructor(readonly serviceName: string) {
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      readers: [this.exporter],
    });
    metrics.setGlobalMeterProvider(this.provider);
    this.meter = this.provider.getMeter('mooring');
  }

  handleMetricsRequest(request: IncomingMessage, response: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(request, response);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
