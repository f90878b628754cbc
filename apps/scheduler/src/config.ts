import { databaseGroup, logGroup, opsGroup, redisGroup, shutdownGroup, telemetryGroup, type ConfigOf } from '@mooring/platform';
import { dispatchGroup } from '@mooring/runs/scheduler';

export const schedulerConfigSpec = {
  log: logGroup,
  database: databaseGroup,
  redis: redisGroup,
  shutdown: shutdownGroup,
  telemetry: telemetryGroup,
  ops: opsGroup('SCHEDULER_OPS_PORT', 9465),
  dispatch: dispatchGroup,
};

export type SchedulerConfig = ConfigOf<typeof schedulerConfigSpec>;
