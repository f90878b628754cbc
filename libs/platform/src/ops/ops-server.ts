import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '../telemetry/telemetry.js';

/** A named dependency check for readiness, e.g. `database` or `redis`. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Record<string, 'up' | 'down'>;
}

export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      const { name } = dependency;
      try {
        await Promise.race([
          dependency.check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
        ]);
        return [name, 'up'] as const;
      } catch {
        return [name, 'down'] as const;
      }
    }),
  );
  const status = results.every(([, state]) => state === 'up') ? 'ok' : 'unavailable';
  return { status, checks: Object.fromEntries(results) };
}

/**
 * The small HTTP port of a process: `/health/live` (the process is running), `/health/ready`
 * (its dependencies answer; 503 otherwise, and while shutting down) and `/metrics` (Prometheus).
 */
export class OpsServer {
  private readonly server: http.Server;
  private draining = false;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly readinessChecks: readonly ReadinessCheck[],
  ) {
    this.server = http.createServer((request, response) => void this.route(request, response));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Readiness turns 503 at once, so load balancers stop sending work while we drain. */
  startDraining(): void {
    this.draining = true;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET')
      return this.json(response, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET is served here', details: {} } });
    if (path === '/health/live') return this.json(response, 200, { status: 'ok' });
    if (path === '/health/ready') {
      if (this.draining) return this.json(response, 503, { status: 'draining', checks: {} });
      const report = await checkReadiness(this.readinessChecks);
      return this.json(response, report.status === 'ok' ? 200 : 503, report);
    }
    if (path === '/metrics') return this.telemetry.handleMetricsRequest(request, response);
    return this.json(response, 404, { error: { code: 'ROUTE_NOT_FOUND', message: `No route ${path}`, details: {} } });
  }

  private json(response: http.ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
