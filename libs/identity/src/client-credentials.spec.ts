import { describe, expect, it } from 'vitest';
import { clientSecretMatches, generateClientCredentials, hashClientSecret } from './client-credentials.js';

describe('client credentials', () => {
  it('generates distinct, prefixed, high-entropy credentials', () => {
    const a = generateClientCredentials();
    const b = generateClientCredentials();
    expect(a.clientId).toMatch(/^mc_[A-Za-z0-9_-]{20}$/);
    expect(a.clientSecret).toMatch(/^mcs_[A-Za-z0-9_-]{43}$/);
    expect(a.clientSecret).not.toBe(b.clientSecret);
  });

  it('verifies a secret only against its own hash', () => {
    const { clientSecret } = generateClientCredentials();
    const hash = hashClientSecret(clientSecret);
    expect(hash).not.toContain(clientSecret);
    expect(clientSecretMatches(clientSecret, hash)).toBe(true);
    expect(clientSecretMatches(`${clientSecret}x`, hash)).toBe(false);
    expect(clientSecretMatches(clientSecret, 'not-hex')).toBe(false);
  });
});
