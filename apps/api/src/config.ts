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
import {
  githubAppWebhookGroup,
  oauthClientsGroup,
  oauthConnectGroup,
  outboundGroup,
  schedulingGroup,
} from '@mooring/installations';
import { integrationsGroup } from '@mooring/integrations';
import { liveEventsGroup } from '@mooring/live-events';

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
    webAppDir: envVar('WEB_APP_DIR', z.string().min(1).optional(), {
      description: 'Directory of the built web console the api serves at / (default: apps/web/dist)',
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
  people: {
    sessionIdleSeconds: envVar(
      'SESSION_IDLE_TIMEOUT_SECONDS',
      positiveInt()
        .min(60)
        .default(12 * 3600),
      {
        description: 'A signed-in session ends after this long without a request',
      },
    ),
    sessionMaxAgeSeconds: envVar(
      'SESSION_MAX_AGE_SECONDS',
      positiveInt()
        .min(60)
        .default(7 * 86_400),
      {
        description: 'A signed-in session ends this long after sign-in, however active',
      },
    ),
    signInMaxFailuresPerAccount: envVar('SIGN_IN_MAX_FAILURES_PER_ACCOUNT', positiveInt().default(10), {
      description: 'Failed sign-ins to one account (from anywhere) allowed per window; more answer 429',
    }),
    signInMaxFailuresPerAddress: envVar('SIGN_IN_MAX_FAILURES_PER_ADDRESS', positiveInt().default(30), {
      description: 'Failed sign-ins from one address (to any account) allowed per window; more answer 429',
    }),
    signInWindowSeconds: envVar('SIGN_IN_WINDOW_SECONDS', positiveInt().min(60).default(900), {
      description: 'The window of the sign-in failure limits',
    }),
    invitationTtlSeconds: envVar(
      'INVITATION_TTL_SECONDS',
      positiveInt()
        .min(300)
        .default(7 * 86_400),
      {
        description: 'How long an invitation link stays valid',
      },
    ),
    passwordHashLogN: envVar('PASSWORD_HASH_LOG_N', positiveInt().min(12).max(20).default(15), {
      description: 'scrypt cost of new password hashes, as log2(N) (r=8, p=3); lowered only by tests',
    }),
  },
  ops: opsGroup('API_OPS_PORT', 9464),
  vault: vaultGroup,
  outbound: outboundGroup,
  integrations: integrationsGroup,
  oauthClients: oauthClientsGroup,
  oauthConnect: oauthConnectGroup,
  scheduling: schedulingGroup,
  liveEvents: liveEventsGroup,
  githubAppWebhook: githubAppWebhookGroup,
};

export type ApiConfig = ConfigOf<typeof apiConfigSpec>;
