export {
  GUARDRAILS,
  LIMITS,
  MAPPING_LANGUAGES,
  MappingPool,
  MappingValidator,
  closeSharedMappingPool,
  mappingExpressions,
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
export { RunInterrupted, type RunOutcome } from './status/run-outcome.js';
export type { RunObserver, StageEvent } from './status/stage-events.js';
export { runSync, type RunOptions } from './run-sync.js';
// The stages, for paths that apply changes outside a run (live events): map a page, load it.
export { BlueprintCache } from './map/blueprint-cache.js';
export { transformPage } from './map/transform-page.js';
export { LOAD_BATCH_SIZE, ResourceLoader, type LoadContext } from './load/resource-loader.js';
export { ResourceTally } from './tally/resource-tally.js';
export { SyncEngine } from './sync-engine.service.js';
export { SyncModule } from './sync.module.js';
export { RECONCILIATION_KIND, RUNTIME_KIND, SyncMetrics } from './status/sync-metrics.js';
export { RunEventLog, recordRunEvents, type RunEventStore } from './status/run-event-log.js';
export { troubleshootingTips, type TipSeverity, type TroubleshootingTip } from './read-model/troubleshooting-tips.js';
export { SyncStatusService } from './read-model/sync-status.service.js';
export { LiveItemWriter, type LiveWriteCounts } from './live/live-item-writer.js';
