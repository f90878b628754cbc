import { z } from 'zod';
import {
  databaseGroup,
  envVar,
  logGroup,
  opsGroup,
  port,
  positiveInt,
  redisGroup,
  shutdownGroup,
  telemetryGroup,
  type ConfigOf,
} from '@mooring/platform';
import { vaultGroup } from '@mooring/crypto';
import { oauthClientsGroup, oauthConnectGroup, outboundGroup, schedulingGroup } from '@mooring/installations';
import { integrationsGroup } from '@mooring/integrations';

export const apiConfigSpec = {
  log: logGroup,
  database: databaseGroup,
  redis: redisGroup,
  shutdown: shutdownGroup,
  telemetry: telemetryGroup,
  http: {
    port: envVar('API_PORT', port().default(3000), { description: 'Port of the REST API' }),
    host: envVar('API_HOST', z.string().min(1).default('127.0.0.1'), {
      description: 'Interface the REST API listens on (0.0.0.0 in containers)',
    }),
    bodyLimitBytes: envVar('API_BODY_LIMIT_BYTES', positiveInt().default(5 * 1024 * 1024), {
      description: 'Largest accepted request body',
    }),
  },
  auth: {
    tokenSecret: envVar('AUTH_TOKEN_SECRET', z.string().min(32, 'must be at least 32 characters'), {
      description: 'HMAC key that signs access tokens (at least 32 random characters)',
      sensitive: true,
    }),
    tokenTtlSeconds: envVar('AUTH_TOKEN_TTL_SECONDS', positiveInt().min(60).max(86_400).default(3_600), {
      description: 'Lifetime of an access token',
    }),
  },
  ops: opsGroup('API_OPS_PORT', 9464),
  vault: vaultGroup,
  outbound: outboundGroup,
  integrations: integrationsGroup,
  oauthClients: oauthClientsGroup,
  oauthConnect: oauthConnectGroup,
  scheduling: schedulingGroup,
};

export type ApiConfig = ConfigOf<typeof apiConfigSpec>;
