import { DomainError, isDomainError } from '@mooring/platform';
import type { IntegrationConnection, IntegrationDefinition, VerifiedAccount } from '../integration-definition.js';
import { isObject, jiraClient, jiraOAuth2 } from './jira-client.js';
import { jiraBlueprints, jiraDefaultMapping } from './jira-data-model.js';
import { jiraKinds } from './jira-kinds.js';
import { jiraLiveEvents } from './jira-live-events.js';
import { organizationId } from './jira-team-kind.js';

/**
 * `GET /myself` (after picking the site for OAuth): 401 is CREDENTIALS_INVALID naming the field to
 * fix. Returns the Atlassian account (Cloud: account id; Data Center: user name).
 */
export async function verifyJiraCredentials(connection: IntegrationConnection): Promise<VerifiedAccount | undefined> {
  const field = connection.authMethod === 'oauth2' ? 'oauth' : 'settings.token';
  if (connection.settings['atlassianOrganizationId']?.trim()) organizationId(connection.settings);
  try {
    const { client, site } = await jiraClient(connection);
    const me = await client.get(client.url(`${site.api}/myself`));
    const user = me?.body;
    if (!isObject(user)) return undefined;
    const id = user['accountId'] ?? user['name'];
    if (typeof id !== 'string') return undefined;
    const name = user['emailAddress'] ?? user['displayName'] ?? id;
    return { id, name: typeof name === 'string' ? name : id };
  } catch (error) {
    if (isDomainError(error, 'CREDENTIALS_INVALID')) {
      throw new DomainError(
        'CREDENTIALS_INVALID',
        connection.authMethod === 'oauth2'
          ? 'Jira rejected the token (401): connect Jira again'
          : 'Jira rejected the credentials (401): check the email and API token (Cloud) or the personal access token (Data Center)',
        { field },
      );
    }
    throw error;
  }
}

/** Jira Cloud and Jira Data Center / Server: see README.md in this folder. */
export const jira: IntegrationDefinition = {
  id: 'jira',
  title: 'Jira',
  description:
    'Projects, issues (JQL), users, teams, boards, sprints, releases and components from Jira Cloud or Jira Data Center',
  auth: {
    oauth2: jiraOAuth2,
    customSettings: {
      fields: [
        {
          name: 'siteUrl',
          title: 'Site URL',
          description:
            'Jira Cloud: https://your-site.atlassian.net; Data Center: its base URL. With OAuth, only when the token grants several sites',
          type: 'url',
          required: false,
          sensitive: false,
        },
        {
          name: 'email',
          title: 'Email (Jira Cloud)',
          description: 'The Atlassian account the API token belongs to; leave empty for a Data Center personal access token',
          type: 'string',
          required: false,
          sensitive: false,
        },
        {
          name: 'token',
          title: 'API token or personal access token',
          description: 'Jira Cloud: an API token (id.atlassian.com); Data Center: a personal access token (Jira 8.14+)',
          type: 'string',
          required: true,
          sensitive: true,
        },
        {
          name: 'atlassianOrganizationId',
          title: 'Atlassian organization id (teams)',
          description:
            'Jira Cloud with an API token: the id in admin.atlassian.com/o/<id>, to sync Atlassian teams and their members; leave empty to skip teams',
          type: 'string',
          required: false,
          sensitive: false,
        },
      ],
    },
  },
  kinds: jiraKinds,
  defaultBlueprints: jiraBlueprints,
  defaultMapping: jiraDefaultMapping,
  verifyCredentials: verifyJiraCredentials,
  liveEvents: jiraLiveEvents,
  // Search is eventually consistent (Atlassian documents no bound): an issue a live event wrote in
  // the last 10 minutes and the run's search did not list is left for a later run, not deleted.
  listingLagSeconds: 600,
};
