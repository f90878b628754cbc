// The scheduler's entry point (`@mooring/runs/scheduler`): what turns schedules into runs and admits
// them, and nothing of the sync engine, installations or KMS (tools/check-imports.mjs keeps it so).
export { Dispatcher } from './dispatcher.service.js';
export { RunHistoryPruner } from './run-history-pruner.service.js';
export { dispatchGroup, type DispatchOptions } from './runs.config.js';
export { RunsSchedulerModule, type SchedulerRunsOptions } from './scheduler.module.js';
export { ScheduleReconciler } from './schedule-reconciler.service.js';
export { TickHandler } from './tick-handler.service.js';
