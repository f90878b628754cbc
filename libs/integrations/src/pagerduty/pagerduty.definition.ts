import { DomainError, isDomainError } from '@mooring/platform';
import type { IntegrationConnection, IntegrationDefinition, VerifiedAccount } from '../integration-definition.js';
import { isObject, pagerdutyClient } from './pagerduty-client.js';
import { pagerdutyBlueprints, pagerdutyDefaultMapping } from './pagerduty-data-model.js';
import { pagerdutyKinds } from './pagerduty-kinds.js';
import { pagerdutyLiveEvents } from './pagerduty-live-events.js';
import { pagerdutyOAuth2 } from './pagerduty-oauth.js';

/**
 * `GET /abilities` works with every credential (account keys, user keys, OAuth tokens): a 401 is
 * CREDENTIALS_INVALID, a 403 a missing scope. OAuth tokens act as a user: `GET /users/me` names the
 * account the tokens belong to (account API keys have no user).
 */
export async function verifyPagerdutyCredentials(connection: IntegrationConnection): Promise<VerifiedAccount | undefined> {
  const client = pagerdutyClient(connection);
  const field = connection.authMethod === 'oauth2' ? 'oauth' : 'settings.token';
  try {
    await client.get(client.url('/abilities'));
  } catch (error) {
    if (isDomainError(error, 'CREDENTIALS_INVALID')) {
      throw new DomainError(
        'CREDENTIALS_INVALID',
        'PagerDuty rejected the credentials (401): check the API key or connect again',
        {
          field,
        },
      );
    }
    if (isDomainError(error) && error.details['status'] === 403) {
      throw new DomainError('CREDENTIALS_SCOPE_MISSING', 'PagerDuty refused GET /abilities (403): grant abilities.read', {
        field,
      });
    }
    throw error;
  }
  if (connection.authMethod !== 'oauth2') return undefined;
  const me = await client.get(client.url('/users/me'));
  const user = me && isObject(me.body) ? me.body['user'] : undefined;
  if (!isObject(user) || typeof user['id'] !== 'string') return undefined;
  return { id: user['id'], name: typeof user['email'] === 'string' ? user['email'] : user['id'] };
}

/** PagerDuty (US and EU service regions): see README.md in this folder. */
export const pagerduty: IntegrationDefinition = {
  id: 'pagerduty',
  title: 'PagerDuty',
  description:
    'Services with who is on call now, incidents, schedules, on-calls, escalation policies, users and teams from PagerDuty',
  auth: {
    oauth2: pagerdutyOAuth2,
    customSettings: {
      fields: [
        {
          name: 'token',
          title: 'REST API key',
          description: 'An account API key (read-only is enough without live events) or a user API key',
          type: 'string',
          required: true,
          sensitive: true,
        },
        {
          name: 'region',
          title: 'Service region',
          description:
            'us (api.pagerduty.com, the default) or eu (api.eu.pagerduty.com); with OAuth, PagerDuty’s ID token decides',
          type: 'string',
          required: false,
          sensitive: false,
        },
      ],
    },
  },
  kinds: pagerdutyKinds,
  defaultBlueprints: pagerdutyBlueprints,
  defaultMapping: pagerdutyDefaultMapping,
  verifyCredentials: verifyPagerdutyCredentials,
  liveEvents: pagerdutyLiveEvents,
};
