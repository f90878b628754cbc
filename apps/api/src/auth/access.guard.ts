import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, currentRequestScope, roleSatisfies } from '@mooring/platform';
import { ApiClientService } from '@mooring/identity';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorator.js';

/**
 * Deny by default: a route without an access decision is refused (and the boot check keeps such
 * routes from existing). Authenticated requests bind their tenant to the request scope.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access) throw new DomainError('FORBIDDEN', 'This route declares no access rule');
    if (access.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(request.header('authorization'));
    const tenant = await this.clients.authenticate(token);
    currentRequestScope()?.bindTenant(tenant);
    if (!roleSatisfies(tenant.principal.role, access.role)) {
      throw new DomainError('FORBIDDEN', `This action needs the ${access.role} role; the caller is ${tenant.principal.role}`, {
        requiredRole: access.role,
        role: tenant.principal.role,
      });
    }
    return true;
  }
}

function bearerToken(header: string | undefined): string {
  if (!header) throw new DomainError('UNAUTHENTICATED', 'Send an access token: Authorization: Bearer <token>');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new DomainError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>"');
  return match[1];
}
