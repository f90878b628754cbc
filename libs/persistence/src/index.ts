export { AUDIT_ACTIONS, writeAudit, writeAuditSql, type AuditAction, type AuditEntry } from './audit.js';
export { Database, type DatabaseOptions } from './database.js';
export { isRefusedData, storableJson, storableJsonText } from './storable-json.js';
export { PersistenceModule } from './persistence.module.js';
export * from './catalog-records.js';
export * from './people-records.js';
export * from './records.js';
export * from './sync-records.js';
export { ApiClientRepository } from './repositories/api-client.repository.js';
export { AuditRepository, type AuditQuery } from './repositories/audit.repository.js';
export { BlueprintRepository } from './repositories/blueprint.repository.js';
export { EntityRepository } from './repositories/entity.repository.js';
export { ConnectSessionRepository } from './repositories/connect-session.repository.js';
export {
  CredentialRepository,
  type RefreshClaim,
  type RefreshEnd,
  type RefreshOutcome,
} from './repositories/credential.repository.js';
export { InstallationRepository } from './repositories/installation.repository.js';
export { OrganizationRepository } from './repositories/organization.repository.js';
export { ResponseCacheRepository, type ResponseCacheRow } from './repositories/response-cache.repository.js';
export { SyncBatch, SyncCatalogRepository, type SyncWriter } from './repositories/sync-catalog.repository.js';
export { SyncRunRepository } from './repositories/sync-run.repository.js';
export { SyncRunEventRepository } from './repositories/sync-run-event.repository.js';
export { SyncRunHistoryRepository } from './repositories/sync-run-history.repository.js';
export { SyncRunRetentionRepository } from './repositories/sync-run-retention.repository.js';
export {
  RunQueueRepository,
  type QueuedRun,
  type RunQueueDepth,
  type RunRequest,
  type RunTrigger,
  type SchedulableInstallation,
  type TickOutcome,
} from './repositories/run-queue.repository.js';
export { InvitationRepository } from './repositories/invitation.repository.js';
export { UserRepository } from './repositories/user.repository.js';
export { UserSessionRepository } from './repositories/user-session.repository.js';
export {
  LiveEventRepository,
  minuteOf,
  type DeliveryResult,
  type DeliveryStatus,
  type HookLookup,
  type HookRecord,
  type HookStatus,
  type HookWrite,
  type ItemVersion,
  type LiveCountDelta,
  type LiveCounter,
  type LiveCounts,
  type LiveLogEntry,
  type PendingDelivery,
} from './repositories/live-event.repository.js';
