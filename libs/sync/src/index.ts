export { GUARDRAILS } from './mapping/jsonata-expression.js';
export { mappingSchema, type MappingConfig, type ResourceConfig } from './mapping/mapping.schema.js';
export {
  parseMapping,
  validateMapping,
  type MappingIssue,
  type MappingOptions,
  type ParsedMapping,
  type ParsedResource,
} from './mapping/parse-mapping.js';
export { MappingValidator } from './mapping/mapping-validator.js';
export { testMapping, type MappingTestResult } from './mapping-test.js';
export type { ConnectionProvider, SyncDependencies, SyncRunIds } from './run-context.js';
export { RunInterrupted, RunSuperseded, TransientSyncFailure } from './run-interruptions.js';
export { runSync, type RunOptions } from './run-sync.js';
export { SyncEngine } from './sync-engine.service.js';
export { SyncModule } from './sync.module.js';
export { RECONCILIATION_KIND, RUNTIME_KIND, SyncMetrics } from './status/sync-metrics.js';
export { RunEventLog, recordRunEvents, type RunEventStore } from './status/run-event-log.js';
export { troubleshootingTips, type TipSeverity, type TroubleshootingTip } from './status/troubleshooting-tips.js';
export { SyncStatusService } from './status/sync-status.service.js';
