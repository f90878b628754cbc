import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Prefixed so that secret scanners (and people) can recognise a leaked Mooring credential.
const CLIENT_ID_PREFIX = 'mc_';
const CLIENT_SECRET_PREFIX = 'mcs_';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export function generateClientCredentials(): ClientCredentials {
  return {
    clientId: CLIENT_ID_PREFIX + randomBytes(15).toString('base64url'),
    clientSecret: CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url'),
  };
}

/**
 * Client secrets carry 256 random bits, so a fast hash is enough: there is nothing to brute-force
 * that a slow KDF would protect (unlike human passwords).
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function clientSecretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashClientSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
