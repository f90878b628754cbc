import type { Logger } from 'pino';
import type { ConfigOf, ConfigSpec } from '../config/env-var.js';
import { loadConfig, type Environment } from '../config/load-config.js';
import { isDomainError } from '../errors/domain-error.js';
import { createLogger } from '../logging/logger.js';
import { Telemetry } from '../telemetry/telemetry.js';

export interface ProcessContext<T extends ConfigSpec> {
  readonly config: ConfigOf<T>;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
}

export interface RunningProcess {
  /** Stop taking work, finish or checkpoint what is in flight, release connections. */
  stop(): Promise<void>;
}

/** The settings every process has, read from its own config. */
export interface ProcessSettings {
  readonly logLevel: string;
  readonly shutdownTimeoutSeconds: number;
  readonly tracesEndpoint?: string | undefined;
}

interface ProcessOptions<T extends ConfigSpec> {
  readonly service: string;
  readonly spec: T;
  readonly env?: Environment;
  readonly settingsOf: (config: ConfigOf<T>) => ProcessSettings;
  readonly start: (context: ProcessContext<T>) => Promise<RunningProcess>;
}

/**
 * The life of every Mooring process: validate config (exit 1 naming each bad variable), start,
 * and on SIGTERM/SIGINT drain within the configured time before exiting. Any unhandled failure is
 * logged and ends the process, so a supervisor restarts it instead of it limping on.
 */
export async function runProcess<T extends ConfigSpec>(options: ProcessOptions<T>): Promise<void> {
  let config: ConfigOf<T>;
  try {
    config = loadConfig(options.spec, options.env);
  } catch (error) {
    process.stderr.write(`${options.service}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const settings = options.settingsOf(config);
  const logger = createLogger({ service: options.service, level: settings.logLevel });
  const telemetry = new Telemetry(options.service, { tracesEndpoint: settings.tracesEndpoint });
  const fail = (what: string) => (error: unknown) => {
    logger.fatal({ err: error }, what);
    process.exit(1);
  };
  process.on('uncaughtException', fail('uncaught exception'));
  process.on('unhandledRejection', fail('unhandled promise rejection'));

  let running: RunningProcess;
  try {
    running = await options.start({ config, logger, telemetry });
  } catch (error) {
    if (isDomainError(error)) {
      // An expected failure (an unreachable dependency, a wrong role): its message says what to do, and a stack would bury it.
      logger.fatal({ code: error.code }, error.message);
      process.exit(1);
    }
    fail('failed to start')(error);
    return;
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutSeconds = settings.shutdownTimeoutSeconds;
    logger.info({ signal, timeoutSeconds }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutSeconds }, 'shutdown timed out; exiting with work in flight');
      process.exit(1);
    }, timeoutSeconds * 1000).unref();
    running
      .stop()
      .then(() => telemetry.shutdown())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      }, fail('shutdown failed'));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
