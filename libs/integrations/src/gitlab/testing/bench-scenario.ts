import type { BenchScenario } from '../../toolkit/testing/bench-scenario.js';
import { DEFAULT_GITLAB_SHAPE, FakeGitlab } from './fake-gitlab.server.js';

const TOKEN = 'glpat-benchmarkToken0123456789';

/**
 * `npm run bench -- gitlab --projects 2000 [--latency 100] [--rate-limit 100000]`: one group
 * (`harbor`) with 20 subgroups and a subgroup of each on a self-managed fake GitLab (GitLab's
 * response shapes, offset and keyset paging, `RateLimit-*`), each project with 2 merge requests (1
 * open, 1 merged), 2 issues (1 open), 2 pipelines of 2 jobs, 1 deployment, 1 release and its tag,
 * plus 200 members. Every answer waits `--latency` ms, as a remote GitLab would.
 */
export const scenario: BenchScenario = {
  options: {
    projects: { default: '2000', description: 'projects in the group (1 to 50000)' },
    latency: { default: '100', description: 'milliseconds before each answer' },
    'rate-limit': { default: '100000', description: 'requests per token and minute (GitLab.com: 2000)' },
  },
  describe: (options) => ({
    projects: Number(options['projects']),
    latencyMs: Number(options['latency']),
    rateLimitPerMinute: Number(options['rate-limit']),
  }),
  async startTool(options) {
    const projects = Number(options['projects']);
    if (!Number.isInteger(projects) || projects < 1 || projects > 50_000) throw new Error('--projects must be 1 to 50000');
    const gitlab = await FakeGitlab.start({
      shape: { ...DEFAULT_GITLAB_SHAPE, projects, subgroups: 20, members: 200 },
      latencyMs: Number(options['latency']),
      rateLimit: Number(options['rate-limit']),
      recordRequests: false,
    });
    gitlab.addToken(TOKEN, { username: 'bench', scopes: ['read_api'] });
    return {
      settings: { host: gitlab.host, group: gitlab.rootGroup },
      token: TOKEN,
      counters: () => ({ ...gitlab.stats }),
      close: () => gitlab.close(),
    };
  },
};
