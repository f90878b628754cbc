import http from 'node:http';
import https from 'node:https';
import { Socket, type LookupFunction } from 'node:net';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { DomainError, isDomainError } from '@mooring/platform';
import { isIpLiteral } from './address-policy.js';
import {
  assertAddressAllowed,
  bareHost,
  checkOutboundUrl,
  describeTarget,
  hostNotAllowed,
  type OutboundPolicy,
  type RequestPolicy,
} from './outbound-url.js';
import { systemResolver, type ResolvedAddress, type Resolver } from './resolver.js';

export const OUTBOUND_OPTIONS = Symbol('OUTBOUND_OPTIONS');

/** A fetch bound to an organization's policy (what integrations get as `IntegrationConnection.fetch`). */
export type GuardedFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Largest response body unless configured (OUTBOUND_MAX_RESPONSE_BYTES). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface OutboundOptions {
  /** UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: lets tests reach fakes on 127.0.0.1. Never in production. */
  readonly allowLoopback: boolean;
  /**
   * DEMO_TOOL_ORIGIN: the one loopback origin (`http://127.0.0.1:<port>`) of the demo tool that
   * `npm start` runs, reachable over http; nothing else on loopback is.
   */
  readonly demoToolOrigin?: string;
  readonly resolver?: Resolver;
  /** Whole request: redirects, the headers and the body (a body trickling in is cut off too). */
  readonly requestTimeoutMs?: number;
  /** Largest response body, decompressed; a larger one fails with UPSTREAM_RESPONSE_TOO_LARGE. */
  readonly maxResponseBytes?: number;
  readonly connectTimeoutMs?: number;
  /** Extra trusted certificate authorities (PEM) on top of Node's bundle. */
  readonly ca?: string;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Every request Mooring makes to a tool on a tenant's behalf goes through here. Two walls:
 * - each URL (and each redirect hop, followed by hand) passes `checkOutboundUrl`;
 * - each new connection resolves the host itself, refuses it if ANY address is internal, and
 *   dials the address it checked, so a DNS answer that changes between the check and the
 *   connection (rebinding) cannot slip through. TLS still verifies the certificate against the
 *   host name.
 */
@Injectable()
export class OutboundHttp implements OnModuleDestroy {
  private readonly dispatcher: Agent;
  private readonly resolver: Resolver;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(@Inject(OUTBOUND_OPTIONS) private readonly options: OutboundOptions) {
    if (options.allowLoopback) {
      new Logger('Outbound').warn('UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS is on: integrations may reach 127.0.0.1 and ::1');
    }
    this.resolver = options.resolver ?? systemResolver;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const connectPinned = buildConnector({ timeout: this.connectTimeoutMs, ...(options.ca ? { ca: options.ca } : {}) });
    this.dispatcher = new Agent({
      connect: (connectOptions, callback) => {
        const target = `${connectOptions.protocol}//${connectOptions.host ?? connectOptions.hostname}`;
        const demo = this.isDemoTool(connectOptions.protocol, connectOptions.hostname, connectOptions.port);
        (demo
          ? Promise.resolve([{ address: connectOptions.hostname, family: 4 }])
          : this.resolveAllowed(connectOptions.hostname, target)
        ).then(
          ([first]) => connectPinned({ ...connectOptions, hostname: first!.address }, callback),
          (error: Error) => callback(error, null),
        );
      },
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.close();
  }

  private policy(request: RequestPolicy): OutboundPolicy {
    return { allowHttp: request.allowHttp, allowLoopback: this.options.allowLoopback };
  }

  /** The syntactic check alone (scheme, user-info, names, IP literals): no network. */
  checkUrl(url: string | URL, request: RequestPolicy): URL {
    const demo = this.demoToolUrl(url);
    return demo ?? checkOutboundUrl(url, this.policy(request));
  }

  /** The URL, when it is on the demo tool's origin (and carries no user-info). */
  private demoToolUrl(input: string | URL): URL | undefined {
    if (!this.options.demoToolOrigin) return undefined;
    try {
      const url = new URL(input);
      return url.origin === this.options.demoToolOrigin && !url.username && !url.password ? url : undefined;
    } catch {
      return undefined;
    }
  }

  private isDemoTool(protocol: string, hostname: string, port: string | number | undefined): boolean {
    const origin = this.options.demoToolOrigin;
    return !!origin && origin === `${protocol}//${hostname}:${port}`;
  }

  /**
   * The check made when a host is saved: the URL, then every address its name resolves to now.
   * Connections check again, since DNS answers change.
   */
  async assertAllowed(url: string | URL, request: RequestPolicy): Promise<URL> {
    const demo = this.demoToolUrl(url);
    if (demo) return demo;
    const checked = this.checkUrl(url, request);
    await this.resolveAllowed(bareHost(checked), describeTarget(checked));
    return checked;
  }

  /**
   * Every address of `hostname`, once each has passed the policy; refused if any one fails.
   * IP literals are checked as they are.
   */
  async resolveAllowed(hostname: string, target: string): Promise<readonly ResolvedAddress[]> {
    if (isIpLiteral(hostname)) {
      assertAddressAllowed(target, hostname, this.options);
      return [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }];
    }
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await this.resolver(hostname);
    } catch (error) {
      throw unresolved(target, errorCode(error));
    }
    if (!addresses.length) throw unresolved(target, 'ENODATA');
    for (const { address } of addresses) assertAddressAllowed(target, address, this.options);
    return addresses;
  }

  /**
   * A fetch bound to one organization's policy and (optionally) a run's abort signal, which also
   * stops a body still being read. Bodies are capped at `maxResponseBytes`.
   */
  fetchFor(request: RequestPolicy, runSignal?: AbortSignal): GuardedFetch {
    return (input, init) => this.fetch(input, init ?? {}, request, runSignal);
  }

  private async fetch(
    input: string | URL,
    init: RequestInit,
    request: RequestPolicy,
    runSignal: AbortSignal | undefined,
  ): Promise<Response> {
    let url = this.checkUrl(input, request);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    const signals = [AbortSignal.timeout(this.requestTimeoutMs), init.signal, runSignal].filter(
      (signal): signal is AbortSignal => !!signal,
    );
    const signal = AbortSignal.any(signals);
    for (let hop = 0; ; hop++) {
      const response = await this.send(url, { ...init, method, headers, body, signal });
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || !location || init.redirect === 'manual') {
        return this.guardedBody(response, url, signal);
      }
      await response.body?.cancel();
      if (init.redirect === 'error') {
        throw new DomainError('UPSTREAM_FAILED', `${describeTarget(url)} answered with a redirect, which this call refuses`, {
          host: describeTarget(url),
          status: response.status,
        });
      }
      if (hop >= MAX_REDIRECTS) {
        throw hostNotAllowed(describeTarget(url), 'too_many_redirects', `more than ${MAX_REDIRECTS} redirects`);
      }
      const next = this.checkUrl(new URL(location, url), request);
      // Credentials are for the origin they were given to, never for where it redirects.
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = null;
        headers.delete('content-type');
        headers.delete('content-length');
      } else if (body instanceof ReadableStream) {
        throw new DomainError('UPSTREAM_FAILED', `${describeTarget(url)} redirected a streamed request body`, {
          host: describeTarget(url),
        });
      }
      url = next;
    }
  }

  /**
   * The response with its body read under the same rules as its headers: cut off past
   * `maxResponseBytes` (counted after decompression; a declared length over it is refused before
   * reading), and failing with coded errors (the request timeout, the run's own reason when its
   * signal aborts mid-body, a dropped connection), so a tool can neither fill the worker's memory
   * nor hold it with a body that trickles in.
   */
  private async guardedBody(response: Response, url: URL, signal: AbortSignal): Promise<Response> {
    const source = response.body;
    if (!source) return response;
    const limit = this.maxResponseBytes;
    const tooLarge = () =>
      new DomainError(
        'UPSTREAM_RESPONSE_TOO_LARGE',
        `${describeTarget(url)} sent a response larger than ${limit} bytes (OUTBOUND_MAX_RESPONSE_BYTES); not reading it`,
        { host: describeTarget(url), path: url.pathname, status: response.status, limitBytes: limit },
      );
    const declared = Number(response.headers.get('content-length'));
    // Compressed bodies grow when decoded; only an uncompressed declared length is the body's.
    if (!response.headers.get('content-encoding') && Number.isFinite(declared) && declared > limit) {
      await source.cancel();
      throw tooLarge();
    }
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          return controller.error(this.translate(error, url, signal));
        }
        if (chunk.done) return controller.close();
        received += chunk.value.byteLength;
        if (received <= limit) return controller.enqueue(chunk.value);
        await reader.cancel().catch(() => {});
        controller.error(tooLarge());
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      // undici's own fetch, so the request uses this dispatcher; its Response is the global one's twin.
      return await undiciFetch(url, { ...(init as UndiciRequestInit), redirect: 'manual', dispatcher: this.dispatcher });
    } catch (error) {
      throw this.translate(error, url, init.signal);
    }
  }

  private translate(error: unknown, url: URL, signal: AbortSignal | null | undefined): unknown {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    if (isDomainError(cause)) return cause;
    const target = describeTarget(url);
    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof DOMException && reason.name === 'TimeoutError') {
        return new DomainError('UPSTREAM_FAILED', `${target} did not answer within ${this.requestTimeoutMs / 1000} s`, {
          host: target,
          cause: 'timeout',
        });
      }
      return reason ?? error;
    }
    return new DomainError('UPSTREAM_FAILED', `Could not reach ${target} (${errorCode(cause)})`, {
      host: target,
      cause: errorCode(cause),
    });
  }

  /**
   * A node:http(s) agent with the same connection check, for libraries built on node:http
   * (passport-oauth2's token requests). The caller checks the URL itself with `checkUrl` first.
   */
  nodeAgent(url: URL): http.Agent {
    const target = describeTarget(url);
    const lookup: LookupFunction = (hostname, options, callback) => {
      this.resolveAllowed(hostname, target).then(
        (addresses) => {
          if (options.all)
            callback(
              null,
              addresses.map(({ address, family }) => ({ address, family })),
            );
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
    const agentOptions = { lookup, keepAlive: false, ...(this.options.ca ? { ca: this.options.ca } : {}) };
    const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    // node:http leaves a silent socket open forever unless someone destroys it.
    const timeoutMs = this.requestTimeoutMs;
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = (options, callback) => {
      const socket = createConnection(options, callback);
      if (socket instanceof Socket) {
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${target} did not answer within ${timeoutMs / 1000} s`)));
      }
      return socket;
    };
    return agent;
  }
}

// Resolver failures that say nothing about the name: the lookup itself failed and may work later.
const PASSING_DNS_FAILURES = new Set(['EAI_AGAIN', 'ETIMEOUT', 'ESERVFAIL', 'ECONNREFUSED', 'ECANCELLED', 'EAI_FAIL']);

/** A name that does not resolve is not an address the guard refused: say so, or that the lookup failed for now. */
function unresolved(target: string, code: string): DomainError {
  if (PASSING_DNS_FAILURES.has(code)) {
    return new DomainError('UPSTREAM_FAILED', `Looking up the host ${target} failed for now (${code}); retry later`, {
      host: target,
      cause: code,
    });
  }
  return new DomainError('HOST_NOT_FOUND', `The host ${target} does not resolve (${code}): check its name`, {
    host: target,
    cause: code,
  });
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : 'unknown error';
}
