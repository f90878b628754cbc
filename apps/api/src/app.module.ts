import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from '@mooring/platform';
import { CatalogModule } from '@mooring/catalog';
import { IdentityModule } from '@mooring/identity';
import { PersistenceModule } from '@mooring/persistence';
import { QueueModule } from '@mooring/queue';
import { AuditController } from './audit/audit.controller.js';
import { AccessGuard } from './auth/access.guard.js';
import { AuthController } from './auth/auth.controller.js';
import { BlueprintController } from './catalog/blueprint.controller.js';
import { EntityController } from './catalog/entity.controller.js';
import { RouteAccessCheck } from './auth/route-access.check.js';
import type { ApiConfig } from './config.js';
import { HealthController } from './health/health.controller.js';
import { ErrorResponseFilter } from './http/error-response.filter.js';
import { RequestScopeMiddleware } from './http/request-scope.middleware.js';
import { LOGGER } from './logger.token.js';
import { MappingController } from './mappings/mapping.controller.js';
import { OrganizationController } from './organization/organization.controller.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: ApiConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DiscoveryModule,
        PersistenceModule.forRoot({ url: config.database.url, poolSize: config.database.poolSize }),
        QueueModule.forRoot({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix }),
        IdentityModule.forRoot({ tokenSecret: config.auth.tokenSecret, tokenTtlSeconds: config.auth.tokenTtlSeconds }),
        CatalogModule,
      ],
      controllers: [
        AuthController,
        OrganizationController,
        AuditController,
        HealthController,
        BlueprintController,
        EntityController,
        MappingController,
      ],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ErrorResponseFilter },
        RouteAccessCheck,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestScopeMiddleware).forRoutes('*path');
  }
}
