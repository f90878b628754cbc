import type { IntegrationDefinition } from '../integration-definition.js';
import { APP_FIELDS, githubAppTokens } from './github-app.js';
import { githubOAuth2, verifyGithubCredentials } from './github-auth.js';
import { githubBlueprints, githubDefaultMapping } from './github-data-model.js';
import { githubKinds } from './github-kinds.js';
import { githubRepositoryBlueprints } from './github-repository-data-model.js';
import { githubLiveEvents } from './github-live-events.js';

/** GitHub and GitHub Enterprise Server: see README.md in this folder. */
export const github: IntegrationDefinition = {
  id: 'github',
  title: 'GitHub',
  description:
    'Organizations, repositories, pull requests, issues, teams, users, workflows and their runs, releases and deployments from GitHub or GitHub Enterprise Server',
  auth: {
    oauth2: githubOAuth2,
    mintedTokens: githubAppTokens,
    customSettings: {
      fields: [
        {
          name: 'token',
          title: 'Personal access token',
          description:
            'A classic token with the repo and read:org scopes, or a fine-grained token with read access; leave empty for a GitHub App',
          type: 'string',
          required: false,
          sensitive: true,
        },
        {
          name: APP_FIELDS.appId,
          title: 'GitHub App ID',
          description: "For a GitHub App instead of a token: the App's numeric ID (its settings page, About)",
          type: 'string',
          required: false,
          sensitive: false,
        },
        {
          name: APP_FIELDS.privateKey,
          title: 'GitHub App private key',
          description: 'The whole .pem file GitHub generated for the App; stored encrypted and never shown again',
          type: 'string',
          required: false,
          sensitive: true,
        },
        {
          name: APP_FIELDS.installationId,
          title: 'GitHub App installation ID',
          description: "The number at the end of the installation's settings URL (…/settings/installations/ID)",
          type: 'string',
          required: false,
          sensitive: false,
        },
        {
          name: 'host',
          title: 'GitHub Enterprise Server URL',
          description: 'For GitHub Enterprise Server, e.g. https://github.example.com; leave empty for github.com',
          type: 'url',
          required: false,
          sensitive: false,
        },
        {
          name: 'organization',
          title: 'Organization',
          description: 'Sync only this organization; leave empty for everything the token can see',
          type: 'string',
          required: false,
          sensitive: false,
        },
      ],
    },
  },
  kinds: githubKinds,
  defaultBlueprints: [...githubBlueprints, ...githubRepositoryBlueprints],
  defaultMapping: githubDefaultMapping,
  verifyCredentials: verifyGithubCredentials,
  liveEvents: githubLiveEvents,
};
