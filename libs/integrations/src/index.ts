// The production entry point. Fake tools and test helpers are in `@mooring/integrations/testing`.
export * from './integration-definition.js';
export * from './integrations.config.js';
export * from './registry.js';
// Mooring's own GitHub App (the install flow in @mooring/installations proves and mints with these).
export {
  APP_FIELDS as GITHUB_APP_FIELDS,
  appInstallationSettingsUrl,
  mintAppInstallationToken,
  readAppInstallation,
  type AppInstallationFacts,
} from './github/github-app.js';
export { githubApiBase } from './github/github-auth.js';
