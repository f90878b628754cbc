import { DomainError } from '@mooring/platform';
import { fakeIntegration } from './fake/fake.integration.js';
import { genericHttp } from './generic-http/generic-http.definition.js';
import { github } from './github/github.definition.js';
import { gitlab } from './gitlab/gitlab.definition.js';
import type { IntegrationDefinition } from './integration-definition.js';
import { jira } from './jira/jira.definition.js';
import { pagerduty } from './pagerduty/pagerduty.definition.js';

/** Every integration Mooring offers: adding one is its folder and one line here. */
export const INTEGRATIONS: readonly IntegrationDefinition[] = [github, gitlab, jira, pagerduty, genericHttp];

/** Offered only when the configuration says so (INTEGRATIONS_FAKE_ENABLED): demos and tests. */
export const DEMO_INTEGRATIONS: readonly IntegrationDefinition[] = [fakeIntegration];

/**
 * The integrations on offer in this process, looked up by id: the one way to find an integration.
 * Built once at boot from the configuration; tests may offer integrations of their own.
 */
export class IntegrationRegistry {
  private readonly byId: ReadonlyMap<string, IntegrationDefinition>;

  constructor(integrations: readonly IntegrationDefinition[]) {
    const byId = new Map<string, IntegrationDefinition>();
    for (const integration of integrations) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(integration.id))
        throw new Error(`Integration id "${integration.id}" is not kebab-case`);
      if (byId.has(integration.id)) throw new Error(`Integration "${integration.id}" is registered twice`);
      byId.set(integration.id, integration);
    }
    this.byId = byId;
  }

  /** What the configuration offers: every integration, plus the demo ones when enabled. */
  static fromConfig(config: { readonly fakeEnabled: boolean }): IntegrationRegistry {
    return new IntegrationRegistry([...INTEGRATIONS, ...(config.fakeEnabled ? DEMO_INTEGRATIONS : [])]);
  }

  list(): readonly IntegrationDefinition[] {
    return [...this.byId.values()];
  }

  find(id: string): IntegrationDefinition | undefined {
    return this.byId.get(id);
  }

  get(id: string): IntegrationDefinition {
    const integration = this.find(id);
    if (!integration) throw new DomainError('NOT_FOUND', `Unknown integration "${id}"`, { resource: 'integration', id });
    return integration;
  }

  /** For request bodies naming an integration: an unknown id is a bad field, not a missing resource. */
  forField(id: string, field = 'integrationId'): IntegrationDefinition {
    const integration = this.find(id);
    if (!integration) {
      throw new DomainError('VALIDATION_FAILED', `Unknown integration "${id}"`, {
        fields: [{ field, message: 'unknown integration; see GET /v1/integrations' }],
      });
    }
    return integration;
  }
}
