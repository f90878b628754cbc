import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '@mooring/contract';
import { DomainError } from '../errors/domain-error.js';

export { ROLES, type Role };

/** Who is acting: a person, an API client (service account) of the org, or Mooring itself (scheduler, worker). */
export interface Principal {
  readonly kind: 'user' | 'api_client' | 'system';
  readonly id: string;
  readonly role: Role;
  /** The person's email or the client's name, for the audit trail. */
  readonly name?: string;
}

export interface TenantContext {
  readonly orgId: string;
  readonly principal: Principal;
}

/**
 * The context of one unit of work (an HTTP request or a job): its correlation id and, once
 * authenticated, the tenant. Logs and traces read it; data access requires the tenant.
 */
export class RequestScope {
  private tenantContext: TenantContext | undefined;

  constructor(
    readonly requestId: string = randomUUID(),
    private readonly fields: Readonly<Record<string, string>> = {},
  ) {}

  get tenant(): TenantContext | undefined {
    return this.tenantContext;
  }

  /** Binds the scope to a tenant once; rebinding to another org is a bug, so it throws. */
  bindTenant(tenant: TenantContext): void {
    if (this.tenantContext && this.tenantContext.orgId !== tenant.orgId) {
      throw new Error('request scope is already bound to another organization');
    }
    this.tenantContext = tenant;
  }

  logFields(): Record<string, string> {
    const tenant = this.tenantContext;
    return {
      requestId: this.requestId,
      ...(tenant ? { orgId: tenant.orgId, principal: tenant.principal.id } : {}),
      ...this.fields,
    };
  }
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Runs `fn` as `tenant`, e.g. a job processed on behalf of an organization. Inside a request (an
 * OAuth callback acting for the client that started it) the request's id carries over, so logs and
 * the audit trail still correlate with it.
 */
export function runAsTenant<T>(tenant: TenantContext, fn: () => T, fields: Record<string, string> = {}): T {
  const scope = new RequestScope(storage.getStore()?.requestId, fields);
  scope.bindTenant(tenant);
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** The acting tenant. Fails closed: outside an authenticated scope there is no tenant to fall back to. */
export function currentTenant(): TenantContext {
  const tenant = storage.getStore()?.tenant;
  if (!tenant) throw new DomainError('TENANT_CONTEXT_MISSING', 'No organization is set for this operation');
  return tenant;
}

export function roleSatisfies(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}
