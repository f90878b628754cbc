import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { Telemetry } from './telemetry.js';

describe('Telemetry', () => {
  const spans = new InMemorySpanExporter();
  const telemetry = new Telemetry('telemetry-test', { spanExporter: spans });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('nests spans across awaits, so a run’s phases hang under the run', async () => {
    await telemetry.tracer.startActiveSpan('sync.run', async (run) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await telemetry.tracer.startActiveSpan('sync.extract', async (phase) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        phase.end();
      });
      run.end();
    });
    await telemetry.flush();
    const finished = spans.getFinishedSpans();
    const run = finished.find((span) => span.name === 'sync.run')!;
    const extract = finished.find((span) => span.name === 'sync.extract')!;
    expect(extract.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    expect(extract.spanContext().traceId).toBe(run.spanContext().traceId);
  });

  it('serves metrics in Prometheus format', async () => {
    const live = new Telemetry('metrics-test');
    live.meter.createCounter('probe_total', { description: 'a probe' }).add(3, { kind: 'repository' });
    const server = http.createServer((request, response) => live.handleMetricsRequest(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('probe_total{kind="repository"');
      expect(text).toMatch(/probe_total\{[^}]*\} 3/);
    } finally {
      server.close();
      await live.shutdown();
    }
  });
});
