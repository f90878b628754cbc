import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentRequestScope } from '../tenant/request-scope.js';
import { REDACTED, scrubSecrets } from './secret-registry.js';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear (two levels deep). */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'client_secret',
  'access_token',
  'refresh_token',
  'authorization',
  'cookie',
  'apiKey',
  'privateKey',
];

export function createLogger(options: { service: string; level: string; destination?: pino.DestinationStream }): Logger {
  const config: LoggerOptions = {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
        'req.headers.authorization',
        'req.headers.cookie',
      ]),
      censor: REDACTED,
    },
    formatters: { level: (label) => ({ level: label }) },
    // Request id, org and principal on every line written inside a request or job.
    mixin: () => currentRequestScope()?.logFields() ?? {},
    hooks: {
      streamWrite: scrubSecrets,
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
