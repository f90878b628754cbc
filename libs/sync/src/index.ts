export {
  GUARDRAILS,
  LIMITS,
  MAPPING_LANGUAGES,
  MappingPool,
  MappingValidator,
  closeSharedMappingPool,
  mappingSchema,
  parseMapping,
  validateMapping,
  type ItemOutcome,
  type MappedEntity,
  type MappingConfig,
  type MappingErrorCode,
  type MappingIssue,
  type MappingLanguage,
  type MappingOptions,
  type ParsedMapping,
  type ParsedResource,
  type ResourceConfig,
} from './mapping/index.js';
export { MappingTestBudget, testMapping, type MappingTestResult } from './mapping-test.js';
export type { ConnectionProvider, SyncDependencies, SyncRunIds } from './run-context.js';
export { RunInterrupted, RunSuperseded, TransientSyncFailure } from './run-interruptions.js';
export { runSync, type RunOptions } from './run-sync.js';
export { SyncEngine } from './sync-engine.service.js';
export { SyncModule } from './sync.module.js';
export { RECONCILIATION_KIND, RUNTIME_KIND, SyncMetrics } from './status/sync-metrics.js';
export { RunEventLog, recordRunEvents, type RunEventStore } from './status/run-event-log.js';
export { troubleshootingTips, type TipSeverity, type TroubleshootingTip } from './status/troubleshooting-tips.js';
export { SyncStatusService } from './status/sync-status.service.js';
export { LiveItemWriter, type LiveWriteCounts } from './live/live-item-writer.js';
