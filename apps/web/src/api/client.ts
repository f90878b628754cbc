import { pathOf, type ParamsOf, type QueryOf, type BodyOf, type ResponseOf, type RouteDefinition } from '@mooring/contract';

/**
 * The one way the console talks to the api: same origin, the session cookie, the CSRF header on
 * every state-changing request, and every failure turned into an ApiError with the api's code.
 * Bodies that are not the api's JSON (a proxy's HTML page, a stack trace) are never shown.
 */

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Codes the console adds for failures that never reached the api's error handler. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }

  /** Field-level issues of a VALIDATION_FAILED error, e.g. `settings.token` or `resources[1].port…`. */
  get fields(): FieldIssue[] {
    const fields = this.details['fields'];
    if (!Array.isArray(fields)) return [];
    return fields.filter(
      (issue): issue is FieldIssue =>
        typeof issue === 'object' &&
        issue !== null &&
        typeof (issue as FieldIssue).field === 'string' &&
        typeof (issue as FieldIssue).message === 'string',
    );
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** The api sets this readable cookie at sign-in; its value goes back as `x-csrf-token` on every change. */
const CSRF_COOKIES = ['__Host-mooring_csrf', 'mooring_csrf'];

function csrfToken(): string | null {
  const cookies = new Map(
    document.cookie
      .split(';')
      .map((pair) => pair.trim().split('='))
      .map(([name, ...value]) => [name ?? '', decodeURIComponent(value.join('='))] as const),
  );
  for (const name of CSRF_COOKIES) {
    const value = cookies.get(name);
    if (value) return value;
  }
  return null;
}

let onUnauthenticated: () => void = () => {};
/** Called when the api says the session is gone, so the app can show the sign-in page. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = method === 'GET' ? null : csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK_ERROR', 'The console could not reach the Mooring api');
  }
  const body = await readJson(response);
  if (response.ok) {
    if (body === undefined && response.status !== 204 && response.status !== 202) {
      throw new ApiError(response.status, 'UNEXPECTED_RESPONSE', 'The api answered with something other than JSON');
    }
    return body as T;
  }
  const error = toApiError(response.status, body);
  // The session check itself and sign-in answer 401 as an outcome; anything else means the session just ended.
  if (response.status === 401 && path !== '/v1/me' && !path.startsWith('/v1/auth/')) onUnauthenticated();
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
    return new ApiError(status, error.code, typeof error.message === 'string' ? error.message : '', details);
  }
  // A gateway or dev proxy answering for an api it cannot reach.
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError(status, 'NETWORK_ERROR', 'The console could not reach the Mooring api');
  }
  return new ApiError(status, 'UNEXPECTED_RESPONSE', `The api answered ${status} without an error code`);
}

/** What a route answers: its response schema's output, or nothing (204). */
export type Answer<R extends RouteDefinition> = R['response'] extends null ? void : ResponseOf<R>;

type Input<R extends RouteDefinition> = (R['params'] extends object ? { params: ParamsOf<R> } : { params?: never }) &
  (R['query'] extends object ? { query?: QueryOf<R> } : { query?: never }) &
  (R['body'] extends object ? { body: BodyOf<R> } : { body?: never }) & { signal?: AbortSignal };

/**
 * Calls one route of the contract's table (`api.installations.get` …): path, method, parameters,
 * body and answer are all typed from the schemas the api itself validates with.
 */
export function call<R extends RouteDefinition>(
  route: R,
  ...[input]: Record<never, never> extends Input<R> ? [Input<R>?] : [Input<R>]
): Promise<Answer<R>> {
  const options = (input ?? {}) as { params?: Record<string, string>; query?: Query; body?: unknown; signal?: AbortSignal };
  const body = options.body === undefined && route.method !== 'GET' && route.method !== 'DELETE' ? {} : options.body;
  return request<Answer<R>>(route.method, pathOf(route, options.params), {
    ...(options.query ? { query: options.query } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
