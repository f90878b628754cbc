import { Module, type DynamicModule } from '@nestjs/common';
import { DATABASE_OPTIONS, Database, type DatabaseOptions } from './database.js';
import { ApiClientRepository } from './repositories/api-client.repository.js';
import { AuditRepository } from './repositories/audit.repository.js';
import { BlueprintRepository } from './repositories/blueprint.repository.js';
import { EntityRepository } from './repositories/entity.repository.js';
import { ConnectSessionRepository } from './repositories/connect-session.repository.js';
import { CredentialRepository } from './repositories/credential.repository.js';
import { InstallationRepository } from './repositories/installation.repository.js';
import { LiveEventRepository } from './repositories/live-event.repository.js';
import { InvitationRepository } from './repositories/invitation.repository.js';
import { OrganizationRepository } from './repositories/organization.repository.js';
import { ResponseCacheRepository } from './repositories/response-cache.repository.js';
import { SyncCatalogRepository } from './repositories/sync-catalog.repository.js';
import { RunQueueRepository } from './repositories/run-queue.repository.js';
import { SyncRunEventRepository } from './repositories/sync-run-event.repository.js';
import { SyncRunHistoryRepository } from './repositories/sync-run-history.repository.js';
import { SyncRunRetentionRepository } from './repositories/sync-run-retention.repository.js';
import { SyncRunRepository } from './repositories/sync-run.repository.js';
import { UserSessionRepository } from './repositories/user-session.repository.js';
import { UserRepository } from './repositories/user.repository.js';

const REPOSITORIES = [
  OrganizationRepository,
  ApiClientRepository,
  InstallationRepository,
  AuditRepository,
  BlueprintRepository,
  EntityRepository,
  SyncCatalogRepository,
  SyncRunRepository,
  SyncRunHistoryRepository,
  SyncRunEventRepository,
  SyncRunRetentionRepository,
  RunQueueRepository,
  CredentialRepository,
  ConnectSessionRepository,
  ResponseCacheRepository,
  UserRepository,
  UserSessionRepository,
  InvitationRepository,
  LiveEventRepository,
];

@Module({})
export class PersistenceModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [{ provide: DATABASE_OPTIONS, useValue: options }, Database, ...REPOSITORIES],
      exports: [Database, ...REPOSITORIES],
    };
  }
}
