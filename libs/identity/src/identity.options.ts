export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');

export interface IdentityOptions {
  /** HMAC key for access tokens (AUTH_TOKEN_SECRET). */
  readonly tokenSecret: string;
  readonly tokenTtlSeconds: number;
  /** People's sessions, sign-in throttling, invitations and password hashing. */
  readonly people?: PeopleOptions;
}

export interface PeopleOptions {
  /** A session ends after this long without a request. */
  readonly sessionIdleSeconds: number;
  /** A session ends this long after sign-in, however active. */
  readonly sessionMaxAgeSeconds: number;
  /** Failed sign-ins allowed per account, and per address, within the window. */
  readonly signInMaxFailuresPerAccount: number;
  readonly signInMaxFailuresPerAddress: number;
  readonly signInWindowSeconds: number;
  readonly invitationTtlSeconds: number;
  /** scrypt cost as log2(N); lowered only by tests. */
  readonly passwordHashLogN: number;
}

export const DEFAULT_PEOPLE_OPTIONS: PeopleOptions = {
  sessionIdleSeconds: 12 * 3600,
  sessionMaxAgeSeconds: 7 * 86_400,
  signInMaxFailuresPerAccount: 10,
  signInMaxFailuresPerAddress: 30,
  signInWindowSeconds: 15 * 60,
  invitationTtlSeconds: 7 * 86_400,
  passwordHashLogN: 15,
};
