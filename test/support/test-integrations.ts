import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IntegrationDefinition } from '@mooring/integrations';
import { DomainError } from '@mooring/platform';

/**
 * An integration whose OAuth URLs point at a test authorization server: what the generic OAuth
 * flow is tested with (the fake integration of the sync engine has no OAuth). Its credential
 * check is the provider's /userinfo.
 */
export function oauthTestIntegration(issuer: string): IntegrationDefinition {
  return {
    id: 'oauth-test',
    title: 'OAuth test tool',
    description: 'A tool that connects with OAuth 2.0, served by a local authorization server',
    auth: {
      oauth2: {
        authorizationUrl: () => `${issuer}/authorize`,
        tokenUrl: () => `${issuer}/token`,
        scopes: ['read:things', 'read:org'],
        pkce: true,
        extraAuthorizationParams: { prompt: 'consent' },
      },
    },
    kinds: {},
    defaultBlueprints: [{ identifier: 'oauthTestThing', title: 'Thing', schema: { properties: { name: { type: 'string' } } } }],
    defaultMapping: { resources: [] },
    async verifyCredentials(connection) {
      const response = await connection.fetch(`${issuer}/userinfo`, {
        headers: { authorization: `Bearer ${await connection.accessToken()}` },
        signal: connection.signal,
      });
      if (response.status === 401) throw new DomainError('CREDENTIALS_INVALID', 'The test provider rejected the token');
      if (!response.ok) throw new DomainError('UPSTREAM_FAILED', `The test provider answered ${response.status}`);
      const user = (await response.json()) as { sub: string; name: string };
      return { id: user.sub, name: user.name };
    },
  };
}

/** What the hooked test integration's tool saw: registrations and renewals. */
export interface HookedToolRecord {
  readonly registered: Array<{ url: string; secret: string }>;
  readonly renewed: number[];
  /** How long a registration lasts; a renewal gives it as long again. */
  registrationMs: number;
  /** Set to make the next renewal fail. */
  refuseRenewal: boolean;
}

/**
 * An integration whose live events are signed with a timestamp (`X-Test-Timestamp`, and
 * `X-Test-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, as Stripe-style tools
 * sign) and whose registrations expire unless renewed (as Jira's do): what the live-events runtime's
 * staleness check and renewal job are tested with.
 */
export function hookedTestIntegration(record: HookedToolRecord): IntegrationDefinition {
  return {
    id: 'hooked-test',
    title: 'Hooked test tool',
    description: 'A tool with timestamped webhook signatures and expiring webhook registrations',
    auth: {
      customSettings: {
        fields: [{ name: 'token', title: 'Token', description: 'Any token', type: 'string', required: true, sensitive: true }],
      },
    },
    kinds: {},
    defaultBlueprints: [{ identifier: 'hookedThing', title: 'Thing', schema: { properties: { name: { type: 'string' } } } }],
    defaultMapping: { resources: [] },
    verifyCredentials: () => Promise.resolve(),
    liveEvents: {
      register(_connection, hook) {
        record.registered.push(hook);
        return Promise.resolve({
          reference: { id: record.registered.length },
          expiresAt: new Date(Date.now() + record.registrationMs),
        });
      },
      renew(_connection, registration) {
        if (record.refuseRenewal)
          return Promise.reject(new DomainError('UPSTREAM_FAILED', 'the tool refused to extend the webhook'));
        record.renewed.push(Number(registration.reference['id']));
        return Promise.resolve({ ...registration, expiresAt: new Date(Date.now() + record.registrationMs) });
      },
      verify(delivery, secrets) {
        const timestamp = delivery.headers['x-test-timestamp'];
        const signature = delivery.headers['x-test-signature'];
        if (!timestamp || !signature) return { verified: false, reason: 'missing_signature' };
        const given = Buffer.from(signature.replace(/^v1=/, ''), 'hex');
        const matches = secrets.some((secret) => {
          const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(delivery.rawBody).digest();
          return expected.length === given.length && timingSafeEqual(expected, given);
        });
        if (!matches) return { verified: false, reason: 'bad_signature' };
        if (Math.abs(delivery.receivedAt.getTime() - Number(timestamp) * 1000) > 300_000)
          return { verified: false, reason: 'stale' };
        return { verified: true, deliveryId: delivery.headers['x-test-delivery'] ?? null, event: 'thing' };
      },
      changes: () => [],
      fetchItem: () => Promise.resolve(null),
    },
  };
}
