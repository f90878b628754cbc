import { describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '@mooring/integrations';
import { parseMapping } from './parse-mapping.js';

// Every registered integration's default mapping compiles against its own kinds and selectors, as
// saving it would check: a new integration is covered without a test of its own.
describe('default mappings', () => {
  const integrations = IntegrationRegistry.fromConfig({ fakeEnabled: true }).list();

  it.each(integrations.map((integration) => [integration.id, integration] as const))('%s compiles', async (_id, integration) => {
    const parsed = await parseMapping(integration.defaultMapping, { integration });
    expect(parsed.resources.length).toBeGreaterThan(0);
  });
});
