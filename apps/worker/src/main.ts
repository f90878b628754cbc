import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger, OpsServer, runProcess } from '@mooring/platform';
import { Database } from '@mooring/persistence';
import { RedisConnection } from '@mooring/queue';
import { workerConfigSpec } from './config.js';
import { WorkerModule } from './worker.module.js';

await runProcess({
  service: 'mooring-worker',
  spec: workerConfigSpec,
  settingsOf: (config) => ({
    logLevel: config.log.level,
    shutdownTimeoutSeconds: config.shutdown.timeoutSeconds,
    tracesEndpoint: config.telemetry.tracesEndpoint,
  }),
  async start({ config, logger, telemetry }) {
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
      logger: new NestPinoLogger(logger),
    });
    const ops = new OpsServer(telemetry, [app.get(Database), app.get(RedisConnection)]);
    const opsPort = await ops.listen(config.ops.port, config.ops.host);
    logger.info({ opsPort }, 'worker started');
    return {
      async stop() {
        ops.startDraining();
        await app.close();
        await ops.close();
      },
    };
  },
});
