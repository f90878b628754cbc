import 'reflect-metadata';
import { OpsServer, runProcess } from '@mooring/platform';
import { Database, RunQueueRepository } from '@mooring/persistence';
import { RedisConnection } from '@mooring/queue';
import { observeQueueDepth } from '@mooring/runs';
import { createApiApp } from './api-app.js';
import { apiConfigSpec } from './config.js';

await runProcess({
  service: 'mooring-api',
  spec: apiConfigSpec,
  settingsOf: (config) => ({
    logLevel: config.log.level,
    shutdownTimeoutSeconds: config.shutdown.timeoutSeconds,
    tracesEndpoint: config.telemetry.tracesEndpoint,
  }),
  async start({ config, logger, telemetry }) {
    const app = await createApiApp(config, logger);
    await app.listen(config.http.port, config.http.host);
    const runQueue = app.get(RunQueueRepository);
    observeQueueDepth(telemetry.meter, () => runQueue.depth());
    const ops = new OpsServer(telemetry, [app.get(Database), app.get(RedisConnection)]);
    const opsPort = await ops.listen(config.ops.port, config.ops.host);
    logger.info({ url: await app.getUrl(), opsPort }, 'api listening');
    return {
      async stop() {
        ops.startDraining();
        await app.close();
        await ops.close();
      },
    };
  },
});
