export * from './integration-definition.js';
export * from './registry.js';
export { githubApiBase, githubWebOrigin, GITHUB_SCOPES } from './github/github-auth.js';
