import { describe, expect, it } from 'vitest';
import type { IntegrationDefinition, JsonObject } from './integration-definition.js';
import { DEMO_INTEGRATIONS, INTEGRATIONS, IntegrationRegistry } from './registry.js';

// Every registered integration, checked the same way: what a new one gets without a test of its own.
// (libs/sync checks that each default mapping compiles; its folder's specs test its kinds.)
const ALL: readonly IntegrationDefinition[] = [...INTEGRATIONS, ...DEMO_INTEGRATIONS];

describe.each(ALL.map((integration) => [integration.id, integration] as const))('integration %s', (_id, integration) => {
  it('has a kebab-case id, a title, kinds, and a way to connect', () => {
    expect(integration.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(integration.title.length).toBeGreaterThan(0);
    expect(Object.keys(integration.kinds).length).toBeGreaterThan(0);
    expect(integration.auth.oauth2 ?? integration.auth.customSettings).toBeDefined();
    for (const field of integration.auth.customSettings?.fields ?? []) expect(field.name).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
  });

  it('maps only kinds it has, into blueprints it creates (every mapped property theirs, every required one mapped), whose relations point at blueprints it creates', () => {
    const blueprints = new Set(integration.defaultBlueprints.map((blueprint) => blueprint.identifier));
    const resources = (integration.defaultMapping['resources'] ?? []) as JsonObject[];
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(Object.keys(integration.kinds), 'kind').toContain(resource['kind']);
      const mappings = ((resource['port'] as JsonObject)['entity'] as JsonObject)['mappings'] as JsonObject;
      const leaf = mappings['blueprint'];
      const blueprint = typeof leaf === 'string' ? /^"(.+)"$/.exec(leaf)?.[1] : undefined;
      expect([...blueprints], 'blueprint').toContain(blueprint);
      // Port's own defaults write properties their blueprints lack (GitHub's prNumber): not ours.
      const target = integration.defaultBlueprints.find((candidate) => candidate.identifier === blueprint)!;
      for (const property of Object.keys((mappings['properties'] ?? {}) as JsonObject)) {
        expect(Object.keys(target.schema.properties), `${blueprint}.${property}`).toContain(property);
      }
      for (const relation of Object.keys((mappings['relations'] ?? {}) as JsonObject)) {
        expect(Object.keys(target.relations ?? {}), `${blueprint} relation ${relation}`).toContain(relation);
      }
      // Nor leave out what the blueprint requires (Ocean ships defaults that do): every entity would fail.
      for (const property of target.schema.required ?? []) {
        expect(Object.keys((mappings['properties'] ?? {}) as JsonObject), `${blueprint} requires ${property}`).toContain(
          property,
        );
      }
      for (const [name, relation] of Object.entries(target.relations ?? {})) {
        if (relation.required) {
          expect(Object.keys((mappings['relations'] ?? {}) as JsonObject), `${blueprint} requires relation ${name}`).toContain(
            name,
          );
        }
      }
    }
    for (const blueprint of integration.defaultBlueprints) {
      for (const relation of Object.values(blueprint.relations ?? {}))
        expect([...blueprints], 'relation target').toContain(relation.target);
    }
  });
});

describe('the registry', () => {
  it('offers each integration once, and the demo ones only when the configuration enables them', () => {
    const offered = IntegrationRegistry.fromConfig({ fakeEnabled: true }).list();
    expect(new Set(offered.map((integration) => integration.id)).size).toBe(offered.length);
    expect(IntegrationRegistry.fromConfig({ fakeEnabled: false }).list()).toEqual(INTEGRATIONS);
    expect(() => new IntegrationRegistry([...INTEGRATIONS, ...INTEGRATIONS])).toThrow(/registered twice/);
  });
});
