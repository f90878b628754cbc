import { Module, type DynamicModule } from '@nestjs/common';
import { createVault } from '@mooring/crypto';
import { InstallationsModule, installationsOptionsFromConfig, outboundOptionsFromConfig } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { PersistenceModule } from '@mooring/persistence';
import type { Logger, Telemetry } from '@mooring/platform';
import { QueueModule } from '@mooring/queue';
import { LiveEventsModule } from '@mooring/live-events';
import { RunsModule } from '@mooring/runs';
import { SyncModule, mappingExpressions } from '@mooring/sync';
import type { WorkerConfig } from './config.js';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, telemetry: Telemetry, logger: Logger): DynamicModule {
    const integrations = IntegrationRegistry.fromConfig(config.integrations);
    // IntegrationConnections: what sync runs use to reach tools (tokens refreshed, SSRF-guarded fetch,
    // per-token caps shared by every worker), and the lifecycle refused credentials go through.
    const vault = createVault(config.vault);
    const installations = InstallationsModule.forRoot({
      vault,
      outbound: outboundOptionsFromConfig(config.outbound),
      installations: installationsOptionsFromConfig(config),
      integrations,
      expressions: mappingExpressions(),
    });
    return {
      module: WorkerModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot({
          redisUrl: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          bootWaitSeconds: config.redis.bootWaitSeconds,
        }),
        installations,
        RunsModule.forWorker({
          ...config.runs,
          meter: telemetry.meter,
          logger,
          installations,
          sync: SyncModule.forRoot({ integrations }),
        }),
        // Webhook deliveries applied through the installation's mapping, and webhooks registered with tools.
        LiveEventsModule.forWorker({
          options: config.liveEvents,
          vault,
          integrations,
          meter: telemetry.meter,
          installations,
          consumer: { concurrency: config.liveEvents.concurrency, lockDurationMs: config.liveEvents.lockSeconds * 1000 },
        }),
      ],
    };
  }
}
