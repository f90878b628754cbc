export { RETRY_DECISION_BY_CODE, isTransient, retryDelayMs, type RetryDecision } from './retry-policy.js';
export { RunJobHandler } from './run-job-handler.service.js';
export { RunMetrics, observeQueueDepth } from './run-metrics.js';
export { RunRequests } from './run-requests.service.js';
export { runWorkerGroup, type RunWorkerOptions } from './runs.config.js';
export { RunsModule, type WorkerRunsOptions } from './runs.module.js';
