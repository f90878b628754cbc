import { databaseGroup, logGroup, opsGroup, redisGroup, shutdownGroup, telemetryGroup, type ConfigOf } from '@mooring/platform';

export const schedulerConfigSpec = {
  log: logGroup,
  database: databaseGroup,
  redis: redisGroup,
  shutdown: shutdownGroup,
  telemetry: telemetryGroup,
  ops: opsGroup('SCHEDULER_OPS_PORT', 9465),
};

export type SchedulerConfig = ConfigOf<typeof schedulerConfigSpec>;
