// What tests and benchmarks use, never production (`@mooring/integrations/testing`): the fake
// tools each integration's folder holds, and the toolkit's test helpers.
export { FAKE_KINDS, fakeItem, type FakeKind } from './fake/fake-data.js';
export { fakeIntegration } from './fake/fake.integration.js';
export {
  FakeToolServer,
  type FakeFailure,
  type FakeFault,
  type FakeFaultPlan,
  type FakeMisbehaviour,
  type FakeToolOptions,
} from './fake/testing/fake-tool.server.js';
export {
  DEFAULT_SHAPE,
  FakeGithub,
  type FakeGithubOptions,
  type FakeGithubShape,
  type FakeGithubStats,
  type FakeGithubToken,
} from './github/testing/fake-github.server.js';
// The per-repository resources a user adds to a GitHub mapping (not in the default one).
export { githubRepositoryResources } from './github/github-repository-data-model.js';
export { FakeGithubApps, type FakeGithubAppInstallation, type FakeInstallChoice } from './github/testing/fake-github-apps.js';
export { FakeGithubAppWebhook, type FakeAppDeliveryOptions } from './github/testing/fake-github-app-webhook.js';
export {
  DEFAULT_GITLAB_SHAPE,
  FakeGitlab,
  projectId as fakeGitlabProjectId,
  type FakeGitlabOptions,
  type FakeGitlabShape,
  type FakeGitlabToken,
  type FakeHook,
  type HookEventInput,
} from './gitlab/testing/fake-gitlab.server.js';
export { LoopbackServer, sendJson, type Handler, type RecordedRequest } from './toolkit/testing/loopback-server.js';
export { benchScenario, type BenchScenario, type BenchTool } from './toolkit/testing/bench-scenario.js';
export { memoryResponseCache, testConnection } from './toolkit/testing/test-connection.js';
// Tests that stand in for several worker processes give each its own credential budget.
export { githubClient } from './github/github-client.js';
export { CredentialBudget, budgetsInUse } from './toolkit/credential-budget.js';
export {
  DEFAULT_PAGERDUTY_SHAPE,
  FakePagerduty,
  type FakePagerdutyOptions,
  type FakePagerdutyShape,
  type FakeSubscription,
} from './pagerduty/testing/fake-pagerduty.server.js';
export {
  FakePagerdutyIdentity,
  pagerdutyOnFakes,
  type FakePagerdutyAccount,
} from './pagerduty/testing/fake-pagerduty-identity.js';
export { ATLASSIAN_ORG_ID, CLOUD_ID, DEFAULT_JIRA_SHAPE, FakeJira, type FakeJiraShape } from './jira/testing/fake-jira.server.js';
export {
  FakeRestApi,
  fakeComments,
  fakeIssues,
  fakeProjects,
  type FakeAuth,
} from './generic-http/testing/fake-rest-api.server.js';
