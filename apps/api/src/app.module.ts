import { metrics } from '@opentelemetry/api';
import { HookRegistrations, LiveEventsModule } from '@mooring/live-events';
import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from '@mooring/platform';
import { BlueprintService, CatalogModule, EntityService } from '@mooring/catalog';
import { MappingValidator, SyncModule, mappingExpressions } from '@mooring/sync';
import { createVault } from '@mooring/crypto';
import { IdentityModule } from '@mooring/identity';
import {
  InstallationsModule,
  platformAppsFromConfig,
  installationsOptionsFromConfig,
  outboundOptionsFromConfig,
  type InstallationPorts,
  type InstallationsModuleOptions,
} from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import { RunRequests, RunsModule } from '@mooring/runs';
import { AuditController } from './audit/audit.controller.js';
import { AccessGuard } from './auth/access.guard.js';
import { AuthController } from './auth/auth.controller.js';
import { BlueprintController } from './catalog/blueprint.controller.js';
import { EntityController } from './catalog/entity.controller.js';
import { RouteAccessCheck } from './auth/route-access.check.js';
import type { ApiConfig } from './config.js';
import { HealthController } from './health/health.controller.js';
import { ErrorResponseFilter } from './http/error-response.filter.js';
import { MetaController } from './http/meta.controller.js';
import { RequestScopeMiddleware } from './http/request-scope.middleware.js';
import { RouteLimitGuard, RouteLimits } from './http/route-limits.js';
import { InstallationsController } from './installations/installations.controller.js';
import { SyncStatusController } from './installations/sync-status.controller.js';
import { IntegrationsController } from './installations/integrations.controller.js';
import { GithubAppController } from './installations/github-app.controller.js';
import { OAuthController } from './installations/oauth.controller.js';
import { LiveEventsController } from './live-events/live-events.controller.js';
import { LOGGER } from './logger.token.js';
import { MappingController } from './mappings/mapping.controller.js';
import { OrganizationController } from './organization/organization.controller.js';
import { PeopleController } from './people/people.controller.js';
import { SessionController } from './people/session.controller.js';

const runs = RunsModule.forApi();

/** What installing does in the catalog, with mappings and with the run queue. */
const installationPorts: InstallationPorts = {
  blueprints: BlueprintService,
  mappings: MappingValidator,
  resyncs: RunRequests,
  entities: EntityService,
  liveEvents: HookRegistrations,
};

/** What an embedding (tests) may replace: the vault, the outbound options, the integrations on offer, ports. */
export type InstallationsOverrides = Partial<Omit<InstallationsModuleOptions, 'installations'>> & {
  readonly ports?: Partial<InstallationPorts>;
};

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: ApiConfig, logger: Logger, installations: InstallationsOverrides = {}): DynamicModule {
    const integrations = installations.integrations ?? IntegrationRegistry.fromConfig(config.integrations);
    const sync = SyncModule.forRoot({ integrations });
    const vault = installations.vault ?? createVault(config.vault);
    const liveEvents = LiveEventsModule.forApi({
      options: config.liveEvents,
      vault,
      integrations,
      meter: metrics.getMeter('mooring'),
      oauthClients: config.oauthClients.clients,
      platformApps: platformAppsFromConfig(config),
    });
    return {
      module: AppModule,
      imports: [
        DiscoveryModule,
        PersistenceModule.forRoot(config.database),
        QueueModule.forRoot({
          redisUrl: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          bootWaitSeconds: config.redis.bootWaitSeconds,
        }),
        IdentityModule.forRoot({
          tokenSecret: config.auth.tokenSecret,
          tokenTtlSeconds: config.auth.tokenTtlSeconds,
          people: config.people,
        }),
        CatalogModule,
        sync,
        InstallationsModule.forApi({
          vault,
          outbound: installations.outbound ?? outboundOptionsFromConfig(config.outbound),
          installations: installationsOptionsFromConfig(config),
          integrations,
          expressions: mappingExpressions(),
          ports: { ...installationPorts, ...installations.ports },
          imports: [CatalogModule, sync, runs, liveEvents],
        }),
        runs,
        liveEvents,
      ],
      controllers: [
        AuthController,
        SessionController,
        PeopleController,
        OrganizationController,
        AuditController,
        IntegrationsController,
        InstallationsController,
        SyncStatusController,
        OAuthController,
        GithubAppController,
        HealthController,
        BlueprintController,
        EntityController,
        MappingController,
        MetaController,
        LiveEventsController,
      ],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: AccessGuard },
        // After the access guard: per-organization limits need the authenticated caller.
        { provide: APP_GUARD, useClass: RouteLimitGuard },
        RouteLimits,
        { provide: APP_FILTER, useClass: ErrorResponseFilter },
        RouteAccessCheck,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestScopeMiddleware).forRoutes('*path');
  }
}
