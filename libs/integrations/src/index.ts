export * from './integration-definition.js';
export { integrationsGroup } from './integrations.config.js';
export * from './registry.js';
export { FAKE_KINDS, fakeItem, type FakeKind } from './fake/fake-data.js';
export { FakeToolServer, type FakeFailure, type FakeToolOptions } from './fake/fake-tool.server.js';
export { fakeIntegration } from './fake/fake.integration.js';
export { githubApiBase, githubWebOrigin, GITHUB_SCOPES } from './github/github-auth.js';
export { GithubClient } from './github/github-client.js';
export { GithubRateLimiter } from './github/github-rate-limiter.js';
