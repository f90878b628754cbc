import { z } from 'zod';
import { envVar, port, positiveInt, url } from './env-var.js';

// The variable groups the apps compose into their own config (apps/*/src/config.ts).
// README.md's configuration reference lists every variable declared here; a test keeps it so.

export const logGroup = {
  level: envVar('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'), {
    description: 'Minimum log level',
  }),
};

export const databaseGroup = {
  url: envVar('DATABASE_URL', url(['postgres', 'postgresql']), {
    description: 'PostgreSQL URL of the app role (owns nothing, no BYPASSRLS)',
    sensitive: true,
  }),
  poolSize: envVar('DATABASE_POOL_SIZE', positiveInt().max(200).default(10), {
    description: 'Connections per process',
  }),
  bootWaitSeconds: envVar('DATABASE_BOOT_WAIT_SECONDS', positiveInt().max(3600).default(60), {
    description: 'How long a booting process waits for an unreachable PostgreSQL (a restart, a failover) before it exits',
  }),
};

export const redisGroup = {
  url: envVar('REDIS_URL', url(['redis', 'rediss']), {
    description: 'Redis URL for queues (maxmemory-policy must be noeviction)',
    sensitive: true,
  }),
  keyPrefix: envVar(
    'REDIS_KEY_PREFIX',
    z
      .string()
      .regex(/^[a-zA-Z0-9:_-]{1,64}$/)
      .default('mooring'),
    {
      description: 'Namespace for every Redis key, so several deployments or test runs can share a server',
    },
  ),
  bootWaitSeconds: envVar('REDIS_BOOT_WAIT_SECONDS', positiveInt().max(3600).default(60), {
    description:
      'How long a booting process waits for an unreachable Redis (a restart, a stack booting in any order) before it exits',
  }),
};

export const telemetryGroup = {
  tracesEndpoint: envVar('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', url(['http', 'https']).optional(), {
    description: 'OTLP/HTTP endpoint receiving traces; unset means traces are not exported',
  }),
};

export const shutdownGroup = {
  timeoutSeconds: envVar('SHUTDOWN_TIMEOUT_SECONDS', positiveInt().max(3600).default(30), {
    description: 'How long a process may drain on SIGTERM before it exits anyway',
  }),
};

/** The small HTTP port of a background process (liveness, readiness, metrics). */
export function opsGroup(variableName: string, defaultPort: number) {
  return {
    port: envVar(variableName, port().default(defaultPort), {
      description: 'Port for /health/live, /health/ready and /metrics (0 picks a free port)',
    }),
    host: envVar(`${variableName.replace(/_PORT$/, '')}_HOST`, z.string().min(1).default('127.0.0.1'), {
      description: 'Interface the ops port listens on',
    }),
  };
}
