import type { IntegrationDefinition } from '../integration-definition.js';
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
    customSettings: {
      fields: [
        {
          name: 'token',
          title: 'Personal access token',
          description: 'A classic token with the repo and read:org scopes, or a fine-grained token with read access',
          type: 'string',
          required: true,
          sensitive: true,
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
