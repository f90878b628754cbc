export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');

export interface IdentityOptions {
  /** HMAC key for access tokens (AUTH_TOKEN_SECRET). */
  readonly tokenSecret: string;
  readonly tokenTtlSeconds: number;
}
