import type { IntegrationDefinition } from '../integration-definition.js';
import { gitlabOAuth2, verifyGitlabCredentials } from './gitlab-auth.js';
import { gitlabBlueprints, gitlabDefaultMapping } from './gitlab-data-model.js';
import { gitlabKinds } from './gitlab-kinds.js';
import { gitlabLiveEvents } from './gitlab-live-events.js';

/** GitLab.com and self-managed GitLab: see README.md in this folder. */
export const gitlab: IntegrationDefinition = {
  id: 'gitlab',
  title: 'GitLab',
  description:
    'Groups and subgroups, projects, merge requests, issues, pipelines, jobs, deployments, environments, releases, tags, branches and members from GitLab.com or a self-managed GitLab',
  auth: {
    oauth2: gitlabOAuth2,
    customSettings: {
      fields: [
        {
          name: 'token',
          title: 'Access token',
          description:
            'A personal, group or project access token with the read_api scope (api to create the webhooks for live events)',
          type: 'string',
          required: true,
          sensitive: true,
        },
        {
          name: 'host',
          title: 'GitLab URL',
          description:
            'For a self-managed GitLab, e.g. https://gitlab.example.com (with its path if it has one); leave empty for gitlab.com',
          type: 'url',
          required: false,
          sensitive: false,
        },
        {
          name: 'group',
          title: 'Group',
          description:
            'Sync only this group and its subgroups (its full path, e.g. harbor/payments); leave empty for every group and project the token’s user is a member of',
          type: 'string',
          required: false,
          sensitive: false,
        },
      ],
    },
  },
  kinds: gitlabKinds,
  defaultBlueprints: gitlabBlueprints,
  defaultMapping: gitlabDefaultMapping,
  verifyCredentials: verifyGitlabCredentials,
  liveEvents: gitlabLiveEvents,
};
