import 'reflect-metadata';
import { OpsServer, runProcess } from '@mooring/platform';
import { Database } from '@mooring/persistence';
import { RedisConnection } from '@mooring/queue';
import { schedulerConfigSpec } from './config.js';
import { startSchedulerApp } from './scheduler-app.js';

await runProcess({
  service: 'mooring-scheduler',
  spec: schedulerConfigSpec,
  settingsOf: (config) => ({
    logLevel: config.log.level,
    shutdownTimeoutSeconds: config.shutdown.timeoutSeconds,
    tracesEndpoint: config.telemetry.tracesEndpoint,
  }),
  async start({ config, logger, telemetry }) {
    const { app, schedules } = await startSchedulerApp(config, telemetry, logger);
    const ops = new OpsServer(telemetry, [app.get(Database), app.get(RedisConnection)]);
    const opsPort = await ops.listen(config.ops.port, config.ops.host);
    logger.info({ opsPort, ...schedules }, 'scheduler started');
    return {
      async stop() {
        ops.startDraining();
        await app.close();
        await ops.close();
      },
    };
  },
});
