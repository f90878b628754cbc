import { databaseGroup, logGroup, opsGroup, redisGroup, shutdownGroup, telemetryGroup, type ConfigOf } from '@mooring/platform';
import { vaultGroup } from '@mooring/crypto';
import { githubAppGroup, oauthClientsGroup, outboundGroup } from '@mooring/installations';
import { integrationsGroup } from '@mooring/integrations';
import { liveEventsGroup } from '@mooring/live-events';
import { runWorkerGroup } from '@mooring/runs';

export const workerConfigSpec = {
  log: logGroup,
  database: databaseGroup,
  redis: redisGroup,
  shutdown: shutdownGroup,
  telemetry: telemetryGroup,
  ops: opsGroup('WORKER_OPS_PORT', 9466),
  vault: vaultGroup,
  outbound: outboundGroup,
  integrations: integrationsGroup,
  oauthClients: oauthClientsGroup,
  githubApp: githubAppGroup,
  runs: runWorkerGroup,
  liveEvents: liveEventsGroup,
};

export type WorkerConfig = ConfigOf<typeof workerConfigSpec>;
