import { describe, expect, it } from 'vitest';
import { MINT_MARGIN_MS, mintDue } from './minted-tokens.service.js';

describe('when a minted token is replaced', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const token = (obtainedAgoMs: number, lifetimeMs: number) => ({
    token: 'ghs_x',
    obtainedAt: new Date(now - obtainedAgoMs).toISOString(),
    expiresAt: new Date(now - obtainedAgoMs + lifetimeMs).toISOString(),
  });
  const HOUR = 3_600_000;

  it('mints when there is no token yet', () => {
    expect(mintDue(undefined, now)).toBe(true);
  });

  it('keeps an hour-long token until the margin before it expires, then replaces it', () => {
    expect(mintDue(token(0, HOUR), now)).toBe(false);
    expect(mintDue(token(HOUR - MINT_MARGIN_MS - 1_000, HOUR), now)).toBe(false);
    expect(mintDue(token(HOUR - MINT_MARGIN_MS, HOUR), now)).toBe(true);
    expect(mintDue(token(2 * HOUR, HOUR), now)).toBe(true);
  });

  it('replaces a short-lived token at half its life rather than at once', () => {
    expect(mintDue(token(1_000, 4_000), now)).toBe(false);
    expect(mintDue(token(2_000, 4_000), now)).toBe(true);
  });

  it('treats unreadable instants as due', () => {
    expect(mintDue({ token: 'ghs_x', obtainedAt: 'yesterday', expiresAt: 'soon' }, now)).toBe(true);
  });
});
