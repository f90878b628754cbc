import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAKE_KINDS, fakeItem, type FakeKind } from '../fake-data.js';

export interface FakeToolOptions {
  /** The bearer token the tool accepts. */
  readonly token: string;
  /** Items per kind (default: 3 teams, 10 services, 30 deployments). */
  readonly counts?: Partial<Record<FakeKind, number>>;
  /** Items per page unless the client asks for fewer (default 100). */
  readonly pageSize?: number;
  /** Added to every response, in milliseconds. */
  readonly latencyMs?: number;
  /** Whether listings carry `total`, the kind's item count, as many tools' do (default true). */
  readonly reportTotals?: boolean;
}

/** Fails a kind's listing from a page on, the way a flaky API fails mid-stream. */
export interface FakeFailure {
  /** Pages served normally before the failure (0 fails the first page). */
  readonly afterPages: number;
  readonly status: number;
  /** How many requests fail before the kind is served normally again (all of them when absent). */
  readonly times?: number;
  /** Sent as Retry-After, as tools do with 429 and 503. */
  readonly retryAfterSeconds?: number;
}

/** A kind's pages answered the way a careless or hostile tool would. */
export interface FakeMisbehaviour {
  /** `next` links point at this origin instead of the tool's own. */
  readonly nextOrigin?: string;
  /** Each page carries this many bytes of padding, streamed without a Content-Length. */
  readonly padBytes?: number;
  /** Each page's body trickles in, one byte every this many milliseconds. */
  readonly dripMs?: number;
}

/** A wrong answer to one page of a listing, as tools give them (bugs, proxies, overload, cuts). */
export type FakeFault =
  /** An error status (4xx, 5xx, 429), with Retry-After when given. */
  | { readonly type: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** 200 without an items list (and without a next link). */
  | { readonly type: 'no-items' }
  /** 200 whose items are an object, not a list. */
  | { readonly type: 'items-not-list' }
  /** 200 with one entry of the page null instead of an item. */
  | { readonly type: 'null-entry' }
  /** 200 whose body stops half-way: the connection closes before Content-Length is reached. */
  | { readonly type: 'cut-body' }
  /** 200 with the page's items but no next link: the listing ends early, with no error. */
  | { readonly type: 'short' }
  /** 200 with no items, no next link and a total of 0: the kind looks empty. */
  | { readonly type: 'empty' }
  /** The connection closes before any answer. */
  | { readonly type: 'abort' }
  /** The page takes this long to answer (then answers normally). */
  | { readonly type: 'slow'; readonly ms: number };

export interface FakeFaultPlan {
  /** The page (0 for the first) that answers wrongly. */
  readonly page: number;
  /** How many requests of that page answer wrongly before it is served normally (all when absent). */
  readonly times?: number;
}

/**
 * A loopback HTTP server standing in for a third-party tool: bearer-token auth, cursor pagination
 * with a `next` link, deterministic items per kind, and knobs for what tests and benchmarks need
 * (latency, a kind failing mid-stream, a kind returning nothing, items removed or changed at the
 * source). It counts requests so tests can assert how the engine paged.
 */
export class FakeToolServer {
  readonly requests: string[] = [];
  /** Requests served, counted even when the log is off. */
  requestCount = 0;
  private counts: Record<FakeKind, number>;
  private readonly removed: Record<FakeKind, Set<number>> = { team: new Set(), service: new Set(), deployment: new Set() };
  private readonly revisions: Record<FakeKind, Map<number, number>> = {
    team: new Map(),
    service: new Map(),
    deployment: new Map(),
  };
  private readonly failures = new Map<FakeKind, FakeFailure & { served: number }>();
  private readonly misbehaviours = new Map<FakeKind, FakeMisbehaviour>();
  private readonly faults = new Map<FakeKind, FakeFault & FakeFaultPlan & { served: number }>();
  /** Wrong answers given so far (injected faults that were actually served). */
  faultsServed = 0;
  private reportTotals: boolean;
  private token: string;
  private latencyMs: number;
  private recordRequests = true;

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeToolOptions,
  ) {
    this.counts = { team: 3, service: 10, deployment: 30, ...options.counts };
    this.latencyMs = options.latencyMs ?? 0;
    this.token = options.token;
    this.reportTotals = options.reportTotals ?? true;
    server.on('request', (request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
  }

  static async start(options: FakeToolOptions): Promise<FakeToolServer> {
    const server = http.createServer({ keepAliveTimeout: 30_000 });
    const fake = new FakeToolServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setCounts(counts: Partial<Record<FakeKind, number>>): void {
    this.counts = { ...this.counts, ...counts };
  }

  setLatency(latencyMs: number): void {
    this.latencyMs = latencyMs;
  }

  /** Benchmarks turn request logging off to keep memory flat. */
  setRequestLog(enabled: boolean): void {
    this.recordRequests = enabled;
  }

  failKind(kind: FakeKind, failure: FakeFailure | null): void {
    if (failure) this.failures.set(kind, { ...failure, served: 0 });
    else this.failures.delete(kind);
  }

  misbehave(kind: FakeKind, misbehaviour: FakeMisbehaviour | null): void {
    if (misbehaviour) this.misbehaviours.set(kind, misbehaviour);
    else this.misbehaviours.delete(kind);
  }

  /** Answers one page of a kind's listing wrongly (replacing the kind's previous fault); null clears it. */
  injectFault(kind: FakeKind, fault: (FakeFault & FakeFaultPlan) | null): void {
    if (fault) this.faults.set(kind, { ...fault, served: 0 });
    else this.faults.delete(kind);
  }

  setReportTotals(enabled: boolean): void {
    this.reportTotals = enabled;
  }

  /** The token the tool accepts from now on: the old one is revoked. */
  setToken(token: string): void {
    this.token = token;
  }

  /** Items no longer at the source (by index). */
  remove(kind: FakeKind, indexes: Iterable<number>): void {
    for (const index of indexes) this.removed[kind].add(index);
  }

  /** Items back at the source: all of the kind's removed items, or those given. */
  restore(kind: FakeKind, indexes?: Iterable<number>): void {
    if (!indexes) this.removed[kind].clear();
    else for (const index of indexes) this.removed[kind].delete(index);
  }

  /** Indexes of the kind's items removed at the source. */
  removedIndexes(kind: FakeKind): number[] {
    return [...this.removed[kind]].sort((a, b) => a - b);
  }

  count(kind: FakeKind): number {
    return this.counts[kind];
  }

  /** Changes the content of items (by index) by bumping their revision. */
  change(kind: FakeKind, indexes: Iterable<number>): void {
    for (const index of indexes) this.revisions[kind].set(index, (this.revisions[kind].get(index) ?? 0) + 1);
  }

  /** The items of a kind as the source holds them now, in listing order. */
  *items(kind: FakeKind): Generator<Record<string, unknown>> {
    for (let index = 0; index < this.counts[kind]; index++) {
      if (!this.removed[kind].has(index)) yield fakeItem(kind, index, this.counts, this.revisions[kind].get(index) ?? 0);
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
    const kind = FAKE_KINDS.find((k) => url.pathname === `/api/v1/${k}s`);
    if (!kind) return json(response, 404, { message: 'Not Found' });
    return this.listPage(kind, url, response);
  }

  private async listPage(kind: FakeKind, url: URL, response: http.ServerResponse): Promise<void> {
    const pageSize = Math.min(Number(url.searchParams.get('per_page')) || this.options.pageSize || 100, 1_000);
    const page = Number(url.searchParams.get('page') ?? '0');
    const failure = this.failures.get(kind);
    if (failure && page >= failure.afterPages && (failure.times === undefined || failure.served++ < failure.times)) {
      this.faultsServed++;
      const headers: Record<string, string> =
        failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
      return json(response, failure.status, { message: 'Injected failure' }, headers);
    }
    // Walk indexes from the page's start: removed items leave gaps, never duplicates.
    const items: Array<Record<string, unknown> | null> = [];
    let index = this.startIndex(kind, page * pageSize);
    for (; index < this.counts[kind] && items.length < pageSize; index++) {
      if (!this.removed[kind].has(index)) items.push(fakeItem(kind, index, this.counts, this.revisions[kind].get(index) ?? 0));
    }
    const more = this.startIndex(kind, (page + 1) * pageSize) < this.counts[kind];
    const odd = this.misbehaviours.get(kind);
    const next = more ? `${odd?.nextOrigin ?? this.baseUrl}/api/v1/${kind}s?page=${page + 1}&per_page=${pageSize}` : null;
    const total = this.reportTotals ? { total: this.present(kind) } : {};

    const planned = this.faults.get(kind);
    const fault = planned && planned.page === page && (planned.times === undefined || planned.served++ < planned.times);
    if (!planned || !fault) {
      if (!odd?.padBytes && !odd?.dripMs) return json(response, 200, { items, next, ...total });
      return streamed(response, JSON.stringify({ items, next, ...total, padding: 'x'.repeat(odd.padBytes ?? 0) }), odd.dripMs);
    }
    this.faultsServed++;
    switch (planned.type) {
      case 'status': {
        const headers: Record<string, string> =
          planned.retryAfterSeconds === undefined ? {} : { 'retry-after': String(planned.retryAfterSeconds) };
        return json(response, planned.status, { message: 'Injected failure' }, headers);
      }
      case 'no-items':
        return json(response, 200, { message: 'Listing temporarily unavailable' });
      case 'items-not-list':
        return json(response, 200, { items: { ...items }, next, ...total });
      case 'null-entry':
        items[Math.floor(items.length / 2)] = null;
        return json(response, 200, { items, next, ...total });
      case 'cut-body': {
        const payload = JSON.stringify({ items, next, ...total });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        response.write(payload.slice(0, Math.floor(payload.length / 2)));
        await sleep(10);
        response.destroy();
        return;
      }
      case 'short':
        return json(response, 200, { items, next: null, ...total });
      case 'empty':
        return json(response, 200, { items: [], next: null, ...(this.reportTotals ? { total: 0 } : {}) });
      case 'abort':
        response.socket?.destroy();
        return;
      case 'slow':
        await sleep(planned.ms);
        return json(response, 200, { items, next, ...total });
    }
  }

  /** How many items of the kind the source holds. */
  private present(kind: FakeKind): number {
    let removed = 0;
    for (const index of this.removed[kind]) if (index < this.counts[kind]) removed++;
    return this.counts[kind] - removed;
  }

  /** The index of the `position`-th item still present (removed items do not count). */
  private startIndex(kind: FakeKind, position: number): number {
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
