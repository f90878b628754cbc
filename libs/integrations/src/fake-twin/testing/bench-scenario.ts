import type { BenchScenario } from '../../toolkit/testing/bench-scenario.js';
import { TwinToolServer } from './fake-twin-tool.server.js';

const TOKEN = 'fake-bench-token-0123456789';

/**
 * `npm run bench -- fake --items 10000`: the fake tool's three kinds through the integration's own
 * client (for the engine at scale, `npm run bench -- sync` is the benchmark).
 */
export const scenario: BenchScenario = {
  options: { items: { default: '10000', description: 'items in all (1% teams, 10% services, the rest deployments)' } },
  describe: (options) => ({ items: Number(options['items']) }),
  async startTool(options) {
    const items = Number(options['items']);
    if (!Number.isInteger(items) || items < 100) throw new Error('--items must be an integer of at least 100');
    const counts = { team: Math.floor(items / 100), service: Math.floor(items / 10) };
    const server = await TwinToolServer.start({
      token: TOKEN,
      counts: { ...counts, deployment: items - counts.team - counts.service },
    });
    server.setRequestLog(false);
    return {
      settings: { baseUrl: server.baseUrl },
      token: TOKEN,
      counters: () => ({ requests: server.requestCount, notModified: 0 }),
      close: () => server.close(),
    };
  },
};
