import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { DomainError, ROLES, type Role, type TenantContext } from '@mooring/platform';
import { IDENTITY_OPTIONS, type IdentityOptions } from './identity.options.js';

const ISSUER = 'mooring';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Clocks of api replicas may differ this much.
const CLOCK_TOLERANCE_SECONDS = 5;
const AUDIENCE = 'mooring-api';

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

/** Short-lived HS256 bearer tokens carrying the organization, the principal and its role. */
@Injectable()
export class AccessTokenService {
  private readonly key: Uint8Array;

  constructor(@Inject(IDENTITY_OPTIONS) private readonly options: IdentityOptions) {
    this.key = new TextEncoder().encode(options.tokenSecret);
  }

  async issue(tenant: TenantContext): Promise<IssuedToken> {
    const accessToken = await new SignJWT({ org: tenant.orgId, role: tenant.principal.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(tenant.principal.id)
      .setIssuedAt()
      .setExpirationTime(`${this.options.tokenTtlSeconds}s`)
      .sign(this.key);
    return { accessToken, expiresIn: this.options.tokenTtlSeconds, tokenType: 'Bearer' };
  }

  /**
   * The tenant a token speaks for; INVALID_TOKEN for anything forged, expired or malformed. A
   * token must say when it was issued (not in the future) and when it expires, no later than a
   * token of ours would: a signed token without them would never expire.
   */
  async verify(token: string): Promise<TenantContext> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iat', 'exp', 'sub'],
        // jose refuses an iat in the future (beyond the tolerance) only when an age limit is set.
        maxTokenAge: this.options.tokenTtlSeconds,
      });
      const { org, role, sub, iat, exp } = payload;
      const lifetime = exp! - iat!;
      if (
        typeof org !== 'string' ||
        typeof sub !== 'string' ||
        !UUID.test(org) ||
        !UUID.test(sub) ||
        !ROLES.includes(role as Role) ||
        lifetime > this.options.tokenTtlSeconds + CLOCK_TOLERANCE_SECONDS
      ) {
        throw new DomainError('INVALID_TOKEN', 'The access token’s claims are missing or malformed', { reason: 'invalid' });
      }
      return { orgId: org, principal: { kind: 'api_client', id: sub, role: role as Role } };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const expired = error instanceof joseErrors.JWTExpired;
      throw new DomainError('INVALID_TOKEN', expired ? 'The access token has expired' : 'The access token is not valid', {
        reason: expired ? 'expired' : 'invalid',
      });
    }
  }
}
