import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { RequestLimit, RouteDefinition } from '@mooring/contract';
import { DomainError, currentRequestScope } from '@mooring/platform';
import { AttemptLimiter, type AttemptCounter } from '@mooring/queue';
import { ENDPOINT } from './endpoint.decorator.js';

type Scope = 'perOrg' | 'perAddress' | 'perResource';

/**
 * The request limits routes declare in the contract (`rateLimit`), counted in Redis with the same
 * fixed-window counters as sign-in throttling, so every api replica shares them. Each request
 * counts before it does anything costly; over the limit is 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class RouteLimits {
  private readonly counters = new Map<string, AttemptCounter>();

  constructor(private readonly limiter: AttemptLimiter) {}

  /** Counts one request of `route` for each key given whose limit the route declares. */
  async admit(
    route: RouteDefinition,
    keys: { readonly orgId?: string | undefined; readonly address?: string | undefined; readonly resource?: string | undefined },
  ) {
    const checks: Array<[Scope, string]> = [];
    if (keys.resource !== undefined) checks.push(['perResource', keys.resource]);
    if (keys.address !== undefined) checks.push(['perAddress', keys.address]);
    if (keys.orgId !== undefined) checks.push(['perOrg', keys.orgId]);
    for (const [scope, key] of checks) {
      const limit = route.rateLimit?.[scope];
      if (!limit) continue;
      const waitMs = await this.counter(route, scope, limit).attempt(key);
      if (waitMs > 0) throw rateLimited(route, scope, limit, waitMs);
    }
  }

  private counter(route: RouteDefinition, scope: Scope, limit: RequestLimit): AttemptCounter {
    const name = `route:${route.method}:${route.path}:${scope}`;
    let counter = this.counters.get(name);
    if (!counter) {
      counter = this.limiter.counter({ name, maxAttempts: limit.requests, windowSeconds: limit.windowSeconds });
      this.counters.set(name, counter);
    }
    return counter;
  }
}

function rateLimited(route: RouteDefinition, scope: Scope, limit: RequestLimit, waitMs: number): DomainError {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  const who = scope === 'perOrg' ? 'this organization' : scope === 'perResource' ? 'this resource' : 'this address';
  return new DomainError(
    'RATE_LIMITED',
    `Too many requests to ${route.method} ${route.path} from ${who} (${limit.requests} per ${limit.windowSeconds} s): try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds, limit: scope, requests: limit.requests, windowSeconds: limit.windowSeconds },
  );
}

/**
 * Applies a route's declared limits: per address for every request, per organization once the
 * access guard has authenticated the caller (a public route that learns the organization later,
 * like the token exchange, calls `RouteLimits.admit` itself).
 */
@Injectable()
export class RouteLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RouteLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<RouteDefinition | undefined>(ENDPOINT, context.getHandler());
    if (!route?.rateLimit) return true;
    const request = context.switchToHttp().getRequest<Request>();
    await this.limits.admit(route, {
      address: request.ip ?? 'unknown',
      orgId: currentRequestScope()?.tenant?.orgId,
      ...(route.rateLimit.perResource ? { resource: Object.values(request.params).join('/') } : {}),
    });
    return true;
  }
}
