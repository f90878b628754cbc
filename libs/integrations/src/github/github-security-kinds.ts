import { z } from 'zod';
import { isDomainError } from '@mooring/platform';
import type { JsonObject, KindDefinition } from '../integration-definition.js';
import type { ToolClient } from '../toolkit/index.js';
import { PER_PAGE, githubListing } from './github-client.js';
import type { PerRepositoryTools, RepositoryTypeSchema } from './github-repository-kinds.js';

// Dependabot and code scanning alerts, per repository. GitHub refuses these listings in two ways
// that mean different things for deletion:
// - the feature is off for the repository (403 "Dependabot alerts are disabled for this
//   repository.", 403 "Advanced Security must be enabled …" or "Code scanning is not enabled …"):
//   GitHub states the repository has no alerts to show, so it lists none, nothing is counted as failed, and alerts synced before (the
//   feature was switched off since) may be deleted like any alert GitHub stopped listing;
// - anything else (a 403 for a missing permission, SSO not granted, an IP allow list): the alerts
//   could not be read. The repository is skipped and counted as a fetch failure, and the run
//   deletes nothing of the kind, so no alert disappears because we were not allowed to look.
// A 404 (code scanning answers "no analysis found" where it never ran) is nothing there, as for
// every GitHub listing.

export function securitySelectors(repositoryType: RepositoryTypeSchema) {
  return {
    'dependabot-alert': z.strictObject({
      repositoryType,
      states: z
        .array(z.enum(['auto_dismissed', 'dismissed', 'fixed', 'open']))
        .min(1)
        .default(['open']),
      severities: z
        .array(z.enum(['low', 'medium', 'high', 'critical']))
        .min(1)
        .optional(),
    }),
    'code-scanning-alert': z.strictObject({
      repositoryType,
      state: z.enum(['open', 'closed', 'dismissed', 'fixed']).default('open'),
    }),
  };
}

const FEATURE_OFF = [/dependabot alerts are disabled/i, /advanced security must be enabled/i, /code scanning is not enabled/i];

/** Whether an error is GitHub saying the repository has the feature switched off (so: no alerts). */
export function isFeatureOff(error: unknown): boolean {
  if (!isDomainError(error, 'UPSTREAM_FAILED')) return false;
  return error.details['status'] === 403 && FEATURE_OFF.some((pattern) => pattern.test(error.message));
}

/** A listing that is empty when the feature is off for the repository; other refusals propagate (and are counted). */
async function* unlessFeatureOff(pages: AsyncIterable<JsonObject[]>): AsyncGenerator<JsonObject[]> {
  try {
    yield* pages;
  } catch (error) {
    if (isFeatureOff(error)) return;
    throw error;
  }
}

export function githubSecurityKinds(tools: PerRepositoryTools): Record<string, KindDefinition> {
  const { perRepository, repoPath } = tools;
  const selectors = securitySelectors(tools.repositoryType);
  return {
    // Cursor paging: GitHub's Link header carries `after=<cursor>`, which the Link strategy follows.
    'dependabot-alert': perRepository(
      'Dependabot alerts',
      selectors['dependabot-alert'],
      (client: ToolClient, repository, options) =>
        unlessFeatureOff(
          client.pages(
            client.url(repoPath(repository, '/dependabot/alerts'), {
              state: options.states.join(','),
              severity: options.severities?.join(','),
              per_page: PER_PAGE,
            }),
            githubListing(),
          ),
        ),
    ),
    'code-scanning-alert': perRepository(
      'Code scanning alerts',
      selectors['code-scanning-alert'],
      (client, repository, options) =>
        unlessFeatureOff(
          client.pages(
            client.url(repoPath(repository, '/code-scanning/alerts'), { state: options.state, per_page: PER_PAGE }),
            githubListing(),
          ),
        ),
    ),
  };
}
