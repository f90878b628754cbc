import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TWIN_KINDS, twinItem, type TwinKind } from '../fake-twin-data.js';

export interface TwinToolOptions {
  /** The bearer token the tool accepts. */
  readonly token: string;
  /** Items per kind (default: 3 teams, 10 services, 30 deployments). */
  readonly counts?: Partial<Record<TwinKind, number>>;
  /** Items per page unless the client asks for fewer (default 100). */
  readonly pageSize?: number;
  /** Added to every response, in milliseconds. */
  readonly latencyMs?: number;
}

/** Fails a kind's listing from a page on, the way a flaky API fails mid-stream. */
export interface TwinFailure {
  /** Pages served normally before the failure (0 fails the first page). */
  readonly afterPages: number;
  readonly status: number;
  /** How many requests fail before the kind is served normally again (all of them when absent). */
  readonly times?: number;
  /** Sent as Retry-After, as tools do with 429 and 503. */
  readonly retryAfterSeconds?: number;
}

/** A kind's pages answered the way a careless or hostile tool would. */
export interface TwinMisbehaviour {
  /** `next` links point at this origin instead of the tool's own. */
  readonly nextOrigin?: string;
  /** Each page carries this many bytes of padding, streamed without a Content-Length. */
  readonly padBytes?: number;
  /** Each page's body trickles in, one byte every this many milliseconds. */
  readonly dripMs?: number;
}

/**
 * A loopback HTTP server standing in for a third-party tool: bearer-token auth, cursor pagination
 * with a `next` link, deterministic items per kind, and knobs for what tests and benchmarks need
 * (latency, a kind failing mid-stream, a kind returning nothing, items removed or changed at the
 * source). It counts requests so tests can assert how the engine paged.
 */
export class TwinToolServer {
  readonly requests: string[] = [];
  /** Requests served, counted even when the log is off. */
  requestCount = 0;
  private counts: Record<TwinKind, number>;
  private readonly removed: Record<TwinKind, Set<number>> = { team: new Set(), service: new Set(), deployment: new Set() };
  private readonly revisions: Record<TwinKind, Map<number, number>> = {
    team: new Map(),
    service: new Map(),
    deployment: new Map(),
  };
  private readonly failures = new Map<TwinKind, TwinFailure & { served: number }>();
  private readonly misbehaviours = new Map<TwinKind, TwinMisbehaviour>();
  private token: string;
  private latencyMs: number;
  private recordRequests = true;

  private constructor(
    private readonly server: http.Server,
    private readonly options: TwinToolOptions,
  ) {
    this.counts = { team: 3, service: 10, deployment: 30, ...options.counts };
    this.latencyMs = options.latencyMs ?? 0;
    this.token = options.token;
    server.on('request', (request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
  }

  static async start(options: TwinToolOptions): Promise<TwinToolServer> {
    const server = http.createServer({ keepAliveTimeout: 30_000 });
    const fake = new TwinToolServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setCounts(counts: Partial<Record<TwinKind, number>>): void {
    this.counts = { ...this.counts, ...counts };
  }

  setLatency(latencyMs: number): void {
    this.latencyMs = latencyMs;
  }

  /** Benchmarks turn request logging off to keep memory flat. */
  setRequestLog(enabled: boolean): void {
    this.recordRequests = enabled;
  }

  failKind(kind: TwinKind, failure: TwinFailure | null): void {
    if (failure) this.failures.set(kind, { ...failure, served: 0 });
    else this.failures.delete(kind);
  }

  misbehave(kind: TwinKind, misbehaviour: TwinMisbehaviour | null): void {
    if (misbehaviour) this.misbehaviours.set(kind, misbehaviour);
    else this.misbehaviours.delete(kind);
  }

  /** The token the tool accepts from now on: the old one is revoked. */
  setToken(token: string): void {
    this.token = token;
  }

  /** Items no longer at the source (by index). */
  remove(kind: TwinKind, indexes: Iterable<number>): void {
    for (const index of indexes) this.removed[kind].add(index);
  }

  restore(kind: TwinKind): void {
    this.removed[kind].clear();
  }

  /** Changes the content of items (by index) by bumping their revision. */
  change(kind: TwinKind, indexes: Iterable<number>): void {
    for (const index of indexes) this.revisions[kind].set(index, (this.revisions[kind].get(index) ?? 0) + 1);
  }

  /** The items of a kind as the source holds them now, in listing order. */
  *items(kind: TwinKind): Generator<Record<string, unknown>> {
    for (let index = 0; index < this.counts[kind]; index++) {
      if (!this.removed[kind].has(index)) yield twinItem(kind, index, this.counts, this.revisions[kind].get(index) ?? 0);
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    this.requestCount++;
    if (this.recordRequests) this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (this.latencyMs) await sleep(this.latencyMs);
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return json(response, 401, { message: 'Bad credentials' });
    }
    if (url.pathname === '/api/v1/me') return json(response, 200, { id: 'fake-user', name: 'Fake user' });
    const kind = TWIN_KINDS.find((k) => url.pathname === `/api/v1/${k}s`);
    if (!kind) return json(response, 404, { message: 'Not Found' });
    return this.listPage(kind, url, response);
  }

  private listPage(kind: TwinKind, url: URL, response: http.ServerResponse): void {
    const pageSize = Math.min(Number(url.searchParams.get('per_page')) || this.options.pageSize || 100, 1_000);
    const page = Number(url.searchParams.get('page') ?? '0');
    const failure = this.failures.get(kind);
    if (failure && page >= failure.afterPages && (failure.times === undefined || failure.served++ < failure.times)) {
      const headers: Record<string, string> =
        failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
      return json(response, failure.status, { message: 'Injected failure' }, headers);
    }
    // Walk indexes from the page's start: removed items leave gaps, never duplicates.
    const items: Array<Record<string, unknown>> = [];
    let index = this.startIndex(kind, page * pageSize);
    for (; index < this.counts[kind] && items.length < pageSize; index++) {
      if (!this.removed[kind].has(index)) items.push(twinItem(kind, index, this.counts, this.revisions[kind].get(index) ?? 0));
    }
    const more = this.startIndex(kind, (page + 1) * pageSize) < this.counts[kind];
    const odd = this.misbehaviours.get(kind);
    const next = more ? `${odd?.nextOrigin ?? this.baseUrl}/api/v1/${kind}s?page=${page + 1}&per_page=${pageSize}` : null;
    if (!odd?.padBytes && !odd?.dripMs) return json(response, 200, { items, next });
    streamed(response, JSON.stringify({ items, next, padding: 'x'.repeat(odd.padBytes ?? 0) }), odd.dripMs);
  }

  /** The index of the `position`-th item still present (removed items do not count). */
  private startIndex(kind: TwinKind, position: number): number {
    const removed = this.removed[kind];
    if (!removed.size) return position;
    let index = 0;
    let seen = 0;
    for (; index < this.counts[kind] && seen < position; index++) if (!removed.has(index)) seen++;
    return index;
  }
}

/** A body sent chunked (no Content-Length), in 64 KiB chunks or one byte every `dripMs`. */
function streamed(response: http.ServerResponse, payload: string, dripMs: number | undefined): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  const bytes = Buffer.from(payload);
  let offset = 0;
  const step = dripMs ? 1 : 65_536;
  const send = () => {
    if (response.destroyed) return;
    if (offset >= bytes.length) return void response.end();
    const chunk = bytes.subarray(offset, offset + step);
    offset += step;
    if (dripMs) response.write(chunk, () => setTimeout(send, dripMs));
    else if (response.write(chunk)) setImmediate(send);
    else response.once('drain', send);
  };
  send();
}

function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}
