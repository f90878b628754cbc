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
