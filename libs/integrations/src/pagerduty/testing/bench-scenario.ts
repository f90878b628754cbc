import type { BenchScenario } from '../../toolkit/testing/bench-scenario.js';
import { FakePagerduty } from './fake-pagerduty.server.js';

const KEY = 'u+pdBenchmarkKey0123456789';

/**
 * `npm run bench -- pagerduty --incidents 50000 [--latency 100]`: one account on the fake
 * PagerDuty (PagerDuty's shapes, classic offset paging, the 10,000 ceiling, 6-month windows) with
 * the incidents spread over the last 29 days (the default selector reads 30), 200 services, 500
 * users in 10 teams, one escalation policy and schedule per team. Every response waits `latency` ms.
 */
export const scenario: BenchScenario = {
  options: {
    incidents: { default: '50000', description: 'incidents in the last 29 days (1 to 1000000)' },
    latency: { default: '100', description: 'milliseconds the fake PagerDuty waits before each answer' },
  },
  describe: (options) => ({ incidents: Number(options['incidents']), latencyMs: Number(options['latency']) }),
  async startTool(options) {
    const incidents = Number(options['incidents']);
    if (!Number.isInteger(incidents) || incidents < 1 || incidents > 1_000_000)
      throw new Error('--incidents must be 1 to 1000000');
    const latencyMs = Number(options['latency']);
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error('--latency must be a number of milliseconds');
    const fake = await FakePagerduty.start({
      shape: { incidents, incidentDays: 29, services: 200, users: 500, teams: 10 },
      latencyMs,
    });
    fake.addApiKey(KEY);
    return {
      settings: { apiUrl: fake.apiUrl },
      token: KEY,
      counters: () => ({ requests: fake.stats.requests, notModified: 0, rateLimited: fake.stats.rateLimited }),
      close: () => fake.close(),
    };
  },
};
