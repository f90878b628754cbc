import 'reflect-metadata';
import { OpsServer, runProcess } from '@mooring/platform';
import { Database } from '@mooring/persistence';
import { RedisConnection } from '@mooring/queue';
import { workerConfigSpec } from './config.js';
import { startWorkerApp } from './worker-app.js';

await runProcess({
  service: 'mooring-worker',
  spec: workerConfigSpec,
  settingsOf: (config) => ({
    logLevel: config.log.level,
    shutdownTimeoutSeconds: config.shutdown.timeoutSeconds,
    tracesEndpoint: config.telemetry.tracesEndpoint,
  }),
  async start({ config, logger, telemetry }) {
    const app = await startWorkerApp(config, telemetry, logger);
    const ops = new OpsServer(telemetry, [app.get(Database), app.get(RedisConnection)]);
    const opsPort = await ops.listen(config.ops.port, config.ops.host);
    logger.info({ opsPort, concurrency: config.runs.concurrency }, 'worker started');
    return {
      async stop() {
        ops.startDraining();
        await app.close();
        await ops.close();
      },
    };
  },
});
