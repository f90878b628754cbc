import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMatches, isFresh, tokenMatches } from './webhook-signatures.js';

const body = Buffer.from('{"action":"opened"}');
const sign = (secret: string, algorithm = 'sha256') => createHmac(algorithm, secret).update(body).digest('hex');

describe('webhook signatures', () => {
  it('accepts the HMAC of the exact body under the current or the previous secret, with the prefix', () => {
    const check = (signatures: string[], secrets = ['new-secret', 'old-secret']) =>
      hmacMatches({ algorithm: 'sha256', secrets, payload: body, signatures, prefix: 'sha256=' });
    expect(check([`sha256=${sign('new-secret')}`])).toBe(true);
    expect(check([`sha256=${sign('old-secret')}`])).toBe(true);
    expect(check([`sha256=${sign('old-secret')}`], ['new-secret'])).toBe(false);
    expect(check([sign('new-secret')])).toBe(false);
    expect(check([`sha256=${sign('other')}`, `sha256=${sign('new-secret')}`])).toBe(true);
    expect(check([])).toBe(false);
    expect(check(['sha256=zz'])).toBe(false);
    expect(check([`sha256=${sign('new-secret')}`], [''])).toBe(false);
    expect(
      hmacMatches({
        algorithm: 'sha256',
        secrets: ['new-secret'],
        payload: Buffer.from('{"action":"closed"}'),
        signatures: [`sha256=${sign('new-secret')}`],
        prefix: 'sha256=',
      }),
    ).toBe(false);
    expect(
      hmacMatches({
        algorithm: 'sha1',
        secrets: ['s'],
        payload: body,
        signatures: [`sha1=${sign('s', 'sha1')}`],
        prefix: 'sha1=',
      }),
    ).toBe(true);
  });

  it('compares plain tokens and timestamps', () => {
    expect(tokenMatches(['a-token', 'b-token'], 'b-token')).toBe(true);
    expect(tokenMatches(['a-token'], 'a-toke')).toBe(false);
    expect(tokenMatches(['a-token'], undefined)).toBe(false);
    expect(tokenMatches([''], '')).toBe(false);
    const now = new Date('2026-11-28T10:00:00Z');
    expect(isFresh(new Date('2026-11-28T09:56:00Z'), now, 300)).toBe(true);
    expect(isFresh(new Date('2026-11-28T09:54:00Z'), now, 300)).toBe(false);
    expect(isFresh(new Date('invalid'), now, 300)).toBe(false);
  });
});
