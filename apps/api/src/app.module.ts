import { Module, type DynamicModule, type Provider, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from '@mooring/platform';
import { BlueprintService, CatalogModule, EntityService } from '@mooring/catalog';
import { MappingValidator, SyncModule } from '@mooring/sync';
import { createVault } from '@mooring/crypto';
import { IdentityModule } from '@mooring/identity';
import {
  BLUEPRINT_PROVISIONER,
  INSTALLATION_ENTITY_CLEANER,
  InstallationsModule,
  MAPPING_VALIDATOR,
  RESYNC_TRIGGER,
  SCHEDULE_CONTROL,
  installationsOptionsFromConfig,
  outboundOptionsFromConfig,
  type InstallationsModuleOptions,
} from '@mooring/installations';
import { PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import { RunRequests, RunsModule, ScheduleControlService } from '@mooring/runs';
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
import { OAuthController } from './installations/oauth.controller.js';
import { LOGGER } from './logger.token.js';
import { MappingController } from './mappings/mapping.controller.js';
import { OrganizationController } from './organization/organization.controller.js';
import { PeopleController } from './people/people.controller.js';
import { SessionController } from './people/session.controller.js';

const runs = RunsModule.forApi();

/** What installing does in the catalog, with mappings, with schedules and with the run queue. */
const installationHooks: Provider[] = [
  { provide: BLUEPRINT_PROVISIONER, useExisting: BlueprintService },
  { provide: MAPPING_VALIDATOR, useExisting: MappingValidator },
  { provide: INSTALLATION_ENTITY_CLEANER, useExisting: EntityService },
  { provide: RESYNC_TRIGGER, useExisting: RunRequests },
  { provide: SCHEDULE_CONTROL, useExisting: ScheduleControlService },
];

/** What an embedding (tests) may add to or replace in the installations module. */
export type InstallationsOverrides = Partial<Omit<InstallationsModuleOptions, 'installations'>>;

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: ApiConfig, logger: Logger, installations: InstallationsOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DiscoveryModule,
        PersistenceModule.forRoot({ url: config.database.url, poolSize: config.database.poolSize }),
        QueueModule.forRoot({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix }),
        IdentityModule.forRoot({
          tokenSecret: config.auth.tokenSecret,
          tokenTtlSeconds: config.auth.tokenTtlSeconds,
          people: config.people,
        }),
        CatalogModule,
        SyncModule,
        InstallationsModule.forRoot({
          vault: installations.vault ?? createVault(config.vault),
          outbound: installations.outbound ?? outboundOptionsFromConfig(config.outbound),
          installations: installationsOptionsFromConfig(config),
          // Later bindings (tests) win.
          providers: [...installationHooks, ...(installations.providers ?? [])],
          imports: [CatalogModule, SyncModule, runs, ...(installations.imports ?? [])],
        }),
        runs,
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
        HealthController,
        BlueprintController,
        EntityController,
        MappingController,
        MetaController,
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
