import type { BenchScenario } from '../../toolkit/testing/bench-scenario.js';
import { FakeJira } from './fake-jira.server.js';

const EMAIL = 'bench@harbor.example';
const TOKEN = 'ATATT-benchmark-token';

/**
 * `npm run bench -- jira --issues 100000 [--latency 100]`: one Jira Cloud site on the fake Jira
 * (Atlassian's shapes: issue search by `nextPageToken`, 100 issues a page; PageBeans; bare user
 * arrays) with the issues spread over 20 projects, 2,000 users, a scrum and a kanban board per
 * project, 2 sprints, releases and components each. API token with email (basic). Every response
 * waits `latency` ms. The fake evaluates no JQL: the default selector matches every issue.
 */
export const scenario: BenchScenario = {
  options: {
    issues: { default: '100000', description: 'issues on the site (1 to 1000000)' },
    latency: { default: '100', description: 'milliseconds the fake Jira waits before each answer' },
  },
  describe: (options) => ({ issues: Number(options['issues']), latencyMs: Number(options['latency']) }),
  async startTool(options) {
    const issues = Number(options['issues']);
    if (!Number.isInteger(issues) || issues < 1 || issues > 1_000_000) throw new Error('--issues must be 1 to 1000000');
    const latencyMs = Number(options['latency']);
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error('--latency must be a number of milliseconds');
    const fake = await FakeJira.start({ shape: { issues, projects: 20, users: 2000 }, latencyMs });
    fake.addApiToken(EMAIL, TOKEN);
    return {
      settings: { siteUrl: fake.siteUrl, email: EMAIL },
      token: TOKEN,
      counters: () => ({ requests: fake.stats.requests, notModified: 0, rateLimited: fake.stats.rateLimited }),
      close: () => fake.close(),
    };
  },
};
