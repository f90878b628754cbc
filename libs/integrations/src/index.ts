export * from './integration-definition.js';
export * from './registry.js';
