import type { IntegrationDefinition } from '../integration-definition.js';
import { githubOAuth2, verifyGithubCredentials } from './github-auth.js';

/** GitHub and GitHub Enterprise Server. Auth only for now: the kinds arrive with the GitHub issue. */
export const github: IntegrationDefinition = {
  id: 'github',
  title: 'GitHub',
  description: 'Repositories, pull requests, teams and members from GitHub or GitHub Enterprise Server',
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
  kinds: {},
  defaultBlueprints: [],
  defaultMapping: { resources: [] },
  verifyCredentials: verifyGithubCredentials,
};
