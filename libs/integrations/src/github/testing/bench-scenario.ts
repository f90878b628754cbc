import type { BenchScenario } from '../../toolkit/testing/bench-scenario.js';
import { DEFAULT_SHAPE, FakeGithub } from './fake-github.server.js';

const TOKEN = 'ghp_benchmarkToken0123456789abcdefABCD';
const ORG = 'bench-org';

/**
 * `npm run bench -- github --repos 2000 [--rate-limit 15000] [--latency-ms 100]`: one organization on the fake GitHub
 * (GitHub's response shapes, weak ETags, `x-ratelimit-*`), each repository with 2 pull requests (1
 * open), 2 issues, 1 workflow with 2 runs, 1 release and 1 deployment, plus 500 members in 20
 * teams. A first sync of 2,000 repositories takes about 12,000 requests: more than a personal
 * token's 5,000 an hour, within the 15,000 of a GitHub Enterprise Cloud organization's app. Every
 * answer takes `--latency-ms` (GitHub's typical ~100 ms), so the run shows how busy the client
 * keeps its 10 request slots.
 */
export const scenario: BenchScenario = {
  options: {
    repos: { default: '2000', description: 'repositories in the organization (1 to 99999)' },
    'rate-limit': { default: '15000', description: 'the token’s hourly quota' },
    'latency-ms': { default: '100', description: 'how long each answer takes, as GitHub’s do (0 to 10000)' },
  },
  describe: (options) => ({
    repositories: Number(options['repos']),
    rateLimit: Number(options['rate-limit']),
    latencyMs: Number(options['latency-ms']),
  }),
  async startTool(options) {
    const repositories = Number(options['repos']);
    if (!Number.isInteger(repositories) || repositories < 1 || repositories > 99_999)
      throw new Error('--repos must be 1 to 99999');
    const latencyMs = Number(options['latency-ms']);
    if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 10_000) throw new Error('--latency-ms must be 0 to 10000');
    // The default per-repository shape (2 pull requests, 2 issues, ...), at an organization's scale.
    const shape = { ...DEFAULT_SHAPE, repositories, members: 500, teams: 20 };
    const github = await FakeGithub.start({
      shape,
      rateLimit: Number(options['rate-limit']),
      latencyMs,
      recordRequests: false,
    });
    github.addToken(TOKEN, { login: 'octocat', scopes: 'repo, read:org', organizations: [ORG] });
    return {
      settings: { host: github.host, organization: ORG },
      token: TOKEN,
      counters: () => ({ ...github.stats, quotaRemaining: github.quota(TOKEN).remaining }),
      close: () => github.close(),
    };
  },
};
