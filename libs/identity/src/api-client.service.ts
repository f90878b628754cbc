import { Injectable } from '@nestjs/common';
import { DomainError, registerSecret, type Role, type TenantContext } from '@mooring/platform';
import { ApiClientRepository, type ApiClientRecord } from '@mooring/persistence';
import { AccessTokenService, type IssuedToken } from './access-token.service.js';
import {
  clientSecretMatches,
  generateClientCredentials,
  hashClientSecret,
  type ClientCredentials,
} from './client-credentials.js';

export interface CreatedApiClient {
  readonly client: ApiClientRecord;
  /** Shown once: only its hash is stored. */
  readonly credentials: ClientCredentials;
}

// A revoked client's tokens stop working within this long, without a database read per request.
const ACTIVE_CACHE_MS = 15_000;

@Injectable()
export class ApiClientService {
  private readonly activeCache = new Map<string, { active: { role: Role; name: string } | null; until: number }>();

  constructor(
    private readonly clients: ApiClientRepository,
    private readonly tokens: AccessTokenService,
  ) {}

  async create(orgId: string, input: { name: string; role: Role }): Promise<CreatedApiClient> {
    const credentials = generateClientCredentials();
    registerSecret(credentials.clientSecret, { runtime: true });
    const client = await this.clients.create(orgId, {
      clientId: credentials.clientId,
      secretHash: hashClientSecret(credentials.clientSecret),
      name: input.name,
      role: input.role,
    });
    return { client, credentials };
  }

  list(orgId: string): Promise<ApiClientRecord[]> {
    return this.clients.list(orgId);
  }

  /** Revokes a client; the last active admin cannot be revoked, or nobody could manage the org. */
  async revoke(orgId: string, id: string): Promise<ApiClientRecord> {
    const active = await this.clients.findActive(orgId, id);
    if (active?.role === 'admin' && (await this.clients.countActiveAdmins(orgId)) <= 1) {
      throw new DomainError('CONFLICT', 'The last active admin client cannot be revoked; create another admin first', {
        reason: 'last_admin',
      });
    }
    const revoked = await this.clients.revoke(orgId, id);
    if (!revoked) throw new DomainError('NOT_FOUND', `API client ${id} was not found`, { resource: 'api_client', id });
    this.activeCache.delete(`${orgId}:${id}`);
    return revoked;
  }

  /**
   * `POST /v1/auth/access_token`: exchanges client credentials for a bearer token. `admit` is
   * asked before the secret is checked, once the client's organization is known (its limits).
   */
  async exchange(clientId: string, clientSecret: string, admit?: (orgId: string) => Promise<void>): Promise<IssuedToken> {
    const found = await this.clients.findSecretByClientId(clientId);
    if (found) await admit?.(found.orgId);
    const valid = found !== null && found.revokedAt === null && clientSecretMatches(clientSecret, found.secretHash);
    if (!found || !valid) {
      throw new DomainError('INVALID_CLIENT_CREDENTIALS', 'The client id or secret is wrong, or the client was revoked');
    }
    await this.clients.touchLastUsed(found.orgId, found.id);
    return this.tokens.issue({ orgId: found.orgId, principal: { kind: 'api_client', id: found.id, role: found.role } });
  }

  /**
   * Resolves a bearer token to the tenant it acts for, rejecting tokens of revoked clients.
   * The role comes from the database, so it cannot outlive a change made after the token was issued.
   */
  async authenticate(token: string): Promise<TenantContext> {
    const claimed = await this.tokens.verify(token);
    const active = await this.activeClient(claimed.orgId, claimed.principal.id);
    if (!active) throw new DomainError('INVALID_TOKEN', 'The API client of this token was revoked', { reason: 'revoked' });
    return { orgId: claimed.orgId, principal: { ...claimed.principal, role: active.role, name: active.name } };
  }

  private async activeClient(orgId: string, id: string): Promise<{ role: Role; name: string } | null> {
    const key = `${orgId}:${id}`;
    const cached = this.activeCache.get(key);
    if (cached && cached.until > Date.now()) return cached.active;
    const active = await this.clients.findActive(orgId, id);
    if (this.activeCache.size > 10_000) this.activeCache.clear();
    this.activeCache.set(key, { active, until: Date.now() + ACTIVE_CACHE_MS });
    return active;
  }
}
