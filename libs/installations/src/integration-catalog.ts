import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationDefinition } from '@mooring/integrations';
import { DomainError } from '@mooring/platform';
import { INTEGRATION_REGISTRY } from './installation-hooks.js';

/** The integrations on offer, looked up by id (injected, so tests can offer their own). */
@Injectable()
export class IntegrationCatalog {
  constructor(@Inject(INTEGRATION_REGISTRY) private readonly integrations: readonly IntegrationDefinition[]) {}

  list(): readonly IntegrationDefinition[] {
    return this.integrations;
  }

  find(id: string): IntegrationDefinition | undefined {
    return this.integrations.find((integration) => integration.id === id);
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
        fields: [{ field, message: `unknown integration; see GET /v1/integrations` }],
      });
    }
    return integration;
  }
}
