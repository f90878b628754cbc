import { describe, expect, it } from 'vitest';
import { pagerduty } from './pagerduty.definition.js';
import { PAGERDUTY_SCOPES, pagerdutySettingsFromTokenResponse } from './pagerduty-oauth.js';
import { FakePagerdutyIdentity } from './testing/fake-pagerduty-identity.js';

// The service region of an OAuth install, from the ID token PagerDuty's token endpoint returns with
// `openid`: `aud` names the region's API root. Tokens are built as the fake identity service signs them.

const CLIENT = { clientId: '90b153bf-cfeb-4837-8b6a-864b7ff85656' };
const claims = (region: 'us' | 'eu', extra: Record<string, unknown> = {}) => ({
  ...FakePagerdutyIdentity.claims({ region, subdomain: 'harbor' }, CLIENT.clientId),
  ...extra,
});
const decide = (idToken: unknown) =>
  pagerdutySettingsFromTokenResponse({ token_type: 'bearer', scope: 'openid services.read', id_token: idToken }, CLIENT);
const refusal = (idToken: unknown) => {
  try {
    decide(idToken);
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('the ID token was accepted');
};

describe('PagerDuty OAuth: the service region from the ID token', () => {
  it('asks for openid, so the token endpoint returns an ID token', () => {
    expect(PAGERDUTY_SCOPES).toContain('openid');
    expect(pagerduty.auth.oauth2?.scopes).toContain('openid');
    expect(typeof pagerduty.auth.oauth2?.settingsFromTokenResponse).toBe('function');
  });

  it('reads us and eu from the regional API root in `aud`', () => {
    expect(decide(FakePagerdutyIdentity.idToken(claims('us')))).toEqual({ region: 'us' });
    expect(decide(FakePagerdutyIdentity.idToken(claims('eu')))).toEqual({ region: 'eu' });
    // `aud` as one string is still an audience (RFC 7519), but then it cannot name our client too.
    expect(refusal(FakePagerdutyIdentity.idToken(claims('eu', { aud: 'https://api.eu.pagerduty.com' })))).toMatchObject({
      code: 'OAUTH_EXCHANGE_FAILED',
      details: { reason: 'id_token_invalid' },
    });
  });

  it('keeps the region chosen at connect when the answer has no ID token (an app without openid)', () => {
    expect(pagerdutySettingsFromTokenResponse({ token_type: 'bearer', scope: 'services.read' }, CLIENT)).toEqual({});
    expect(decide(null)).toEqual({});
  });

  it('refuses an unknown region with a coded error naming it', () => {
    const error = refusal(
      FakePagerdutyIdentity.idToken(claims('us', { aud: ['https://api.apac.pagerduty.com', CLIENT.clientId] })),
    );
    expect(error).toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED', details: { reason: 'region_unknown' } });
    expect(error.message).toContain('https://api.apac.pagerduty.com');
    expect(error.message).toContain('nothing was connected');
    // No regional root at all, or both.
    expect(refusal(FakePagerdutyIdentity.idToken(claims('us', { aud: [CLIENT.clientId] })))).toMatchObject({
      details: { reason: 'region_unknown' },
    });
    expect(
      refusal(
        FakePagerdutyIdentity.idToken(
          claims('us', { aud: ['https://api.pagerduty.com', 'https://api.eu.pagerduty.com', CLIENT.clientId] }),
        ),
      ),
    ).toMatchObject({ details: { reason: 'id_token_invalid' } });
  });

  it('refuses garbage: not a JWT, unreadable parts, claims that are not PagerDuty’s for this client, expired', () => {
    const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const garbage: Array<[string, unknown]> = [
      ['empty', ''],
      ['not a string', 42],
      ['an object', { region: 'eu' }],
      ['one part', 'eyJhbGciOiJSUzI1NiJ9'],
      ['four parts', `${FakePagerdutyIdentity.idToken(claims('eu'))}.extra`],
      ['claims not base64url JSON', `${segment({ alg: 'RS256' })}.bm90IGpzb24.c2ln`],
      ['claims a list', `${segment({ alg: 'RS256' })}.${segment(['eu'])}.c2ln`],
      ['header without alg', `${segment({ typ: 'JWT' })}.${segment(claims('eu'))}.c2ln`],
      ['another issuer', FakePagerdutyIdentity.idToken(claims('eu', { iss: 'https://identity.example.com' }))],
      ['another client', FakePagerdutyIdentity.idToken(claims('eu', { aud: ['https://api.eu.pagerduty.com', 'other'] }))],
      ['no aud', FakePagerdutyIdentity.idToken(claims('eu', { aud: undefined }))],
      ['aud of numbers', FakePagerdutyIdentity.idToken(claims('eu', { aud: [1, 2] }))],
      ['expired', FakePagerdutyIdentity.idToken(claims('eu', { exp: Math.floor(Date.now() / 1000) - 3_600 }))],
      ['no exp', FakePagerdutyIdentity.idToken(claims('eu', { exp: undefined }))],
      ['not valid yet', FakePagerdutyIdentity.idToken(claims('eu', { nbf: Math.floor(Date.now() / 1000) + 3_600 }))],
    ];
    for (const [what, idToken] of garbage) {
      expect(refusal(idToken), what).toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED', details: { reason: 'id_token_invalid' } });
    }
  });
});
