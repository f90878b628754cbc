import { databaseGroup, logGroup, opsGroup, redisGroup, shutdownGroup, telemetryGroup, type ConfigOf } from '@mooring/platform';

export const workerConfigSpec = {
  log: logGroup,
  database: databaseGroup,
  redis: redisGroup,
  shutdown: shutdownGroup,
  telemetry: telemetryGroup,
  ops: opsGroup('WORKER_OPS_PORT', 9466),
};

export type WorkerConfig = ConfigOf<typeof workerConfigSpec>;
