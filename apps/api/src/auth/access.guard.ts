import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, currentRequestScope, roleSatisfies, type TenantContext } from '@mooring/platform';
import { ApiClientService, PeopleService, type SessionContext } from '@mooring/identity';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorator.js';
import { CSRF_HEADER, sessionToken } from './session-cookies.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessions = new WeakMap<Request, SessionContext>();

/** The session a request was authenticated with; undefined for bearer tokens. */
export function requestSession(request: Request): SessionContext | undefined {
  return sessions.get(request);
}

/**
 * Deny by default: a route without an access decision is refused (and the boot check keeps such
 * routes from existing). A request authenticates with a bearer token (scripts) or a session cookie
 * (people); with a cookie, every state-changing request must also carry the session's CSRF token.
 * Authenticated requests bind their tenant to the request scope.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientService,
    private readonly people: PeopleService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access) throw new DomainError('FORBIDDEN', 'This route declares no access rule');
    const request = context.switchToHttp().getRequest<Request>();
    const stateChanging = !SAFE_METHODS.has(request.method);
    // Fetch metadata: browsers say when another site sent the request (e.g. a forged sign-in form).
    if (stateChanging && !request.header('authorization') && request.header('sec-fetch-site') === 'cross-site') {
      throw new DomainError('CSRF_TOKEN_INVALID', 'Cross-site requests are refused');
    }
    if (access.kind === 'public') return true;

    const tenant = await this.authenticate(request, stateChanging);
    currentRequestScope()?.bindTenant(tenant);
    if (!roleSatisfies(tenant.principal.role, access.role)) {
      throw new DomainError('FORBIDDEN', `This action needs the ${access.role} role; the caller is ${tenant.principal.role}`, {
        requiredRole: access.role,
        role: tenant.principal.role,
      });
    }
    return true;
  }

  private async authenticate(request: Request, stateChanging: boolean): Promise<TenantContext> {
    const header = request.header('authorization');
    if (header) return this.clients.authenticate(bearerToken(header));
    const token = sessionToken(request);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Sign in, or send an access token: Authorization: Bearer <token>');
    const session = await this.people.authenticate(token);
    if (stateChanging && !this.people.csrfMatches(session, request.header(CSRF_HEADER))) {
      throw new DomainError('CSRF_TOKEN_INVALID', `Send the CSRF cookie's value in the ${CSRF_HEADER} header`);
    }
    sessions.set(request, session);
    return session.tenant;
  }
}

function bearerToken(header: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new DomainError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>"');
  return match[1];
}
