// The production entry point. Fake tools and test helpers are in `@mooring/integrations/testing`.
export * from './integration-definition.js';
export * from './integrations.config.js';
export * from './registry.js';
