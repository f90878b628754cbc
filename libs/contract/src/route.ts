import type { z } from 'zod';
import type { Role } from './common.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: anyone, or a signed-in person or API client with at least this role. */
export type RouteAccess = 'public' | Role;

/** At most `requests` within a fixed window of `windowSeconds`; beyond it, 429 RATE_LIMITED with Retry-After. */
export interface RequestLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

/**
 * The limits of a costly or sensitive route, counted across api replicas: per organization (the
 * caller's, once authenticated), per client address (every request, before anything costly) and
 * per resource named in the path.
 */
export interface RouteRateLimit {
  readonly perOrg?: RequestLimit;
  readonly perAddress?: RequestLimit;
  /** Per the resource the path names (its path parameters), e.g. one webhook hook. */
  readonly perResource?: RequestLimit;
}

/**
 * One route of the API. The api registers its handler from this (method, path, access, status)
 * and validates with its schemas; the web app types its calls with it; /v1/openapi.json is built
 * from the table of them.
 */
export interface RouteDefinition {
  readonly method: HttpMethod;
  /** Express style: `/v1/installations/:id`. */
  readonly path: string;
  readonly access: RouteAccess;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The success body; null for a redirect or an empty answer. */
  readonly response: z.ZodType | null;
  /** The success status. */
  readonly status: number;
  /** Content type of the success body when it is not JSON. */
  readonly contentType?: string;
  readonly rateLimit?: RouteRateLimit;
}

export function route<const T extends RouteDefinition>(definition: T): T {
  return definition;
}

type SchemaOf<T, K extends keyof RouteDefinition> = T extends { readonly [P in K]: infer S extends z.ZodType } ? S : never;

/** What a route answers (after parsing). */
export type ResponseOf<T extends RouteDefinition> = z.output<SchemaOf<T, 'response'>>;
/** What a route's body accepts (before defaults). */
export type BodyOf<T extends RouteDefinition> = z.input<SchemaOf<T, 'body'>>;
/** A route's query string (before defaults and coercion). */
export type QueryOf<T extends RouteDefinition> = z.input<SchemaOf<T, 'query'>>;
/** A route's path parameters. */
export type ParamsOf<T extends RouteDefinition> = z.input<SchemaOf<T, 'params'>>;

/** `/v1/installations/:id` with `{id}` → `/v1/installations/3f…`, each value URL-encoded. */
export function pathOf(definition: Pick<RouteDefinition, 'path'>, params: Readonly<Record<string, string>> = {}): string {
  return definition.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${definition.path}`);
    return encodeURIComponent(value);
  });
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A value the api may answer for a schema: its input type, with read-only arrays and objects accepted. */
export type Reply<S extends z.ZodType> = DeepReadonly<z.input<S>>;
