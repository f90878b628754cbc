import { DomainError } from '@mooring/platform';
import { fakeIntegration } from './fake/fake.integration.js';
import { github } from './github/github.definition.js';
import type { IntegrationDefinition } from './integration-definition.js';

/** Every integration Mooring offers: the one file touched when adding one. */
export const INTEGRATIONS: readonly IntegrationDefinition[] = [github, fakeIntegration];

/** What a process offers: the fake tool only when the configuration enables it (demos and tests). */
export function offeredIntegrations(config: { readonly fakeEnabled: boolean }): readonly IntegrationDefinition[] {
  return INTEGRATIONS.filter((integration) => integration !== fakeIntegration || config.fakeEnabled);
}

export function findIntegration(id: string): IntegrationDefinition | undefined {
  return INTEGRATIONS.find((integration) => integration.id === id);
}

export function getIntegration(id: string): IntegrationDefinition {
  const integration = findIntegration(id);
  if (!integration) throw new DomainError('NOT_FOUND', `Unknown integration "${id}"`, { resource: 'integration', id });
  return integration;
}
