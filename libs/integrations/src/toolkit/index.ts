// The integration toolkit: the HTTP machinery every tool's client shares (see README.md here).
export { ApiRoot } from './api-root.js';
export {
  CredentialBudget,
  DEFAULT_MAX_IN_FLIGHT,
  budgetFor,
  credentialKey,
  type CredentialBudgetOptions,
} from './credential-budget.js';
export { isItemFailure, skippingItemFailures } from './item-failures.js';
export * as paging from './paging.js';
export type { PageSource, Paging, ReadPage } from './paging.js';
export { readQuota, resetInstant, retryAfterMs, type Quota } from './rate-limits.js';
export { fanOut, flatten, limit, readAhead, rechunk, type FanOutOptions } from './streams.js';
export type { Answer } from './answer.js';
export {
  ToolClient,
  pathOf,
  toolMessage,
  type ToolClientOptions,
  type ToolClientStats,
  type ToolRequest,
} from './tool-client.js';
export { hmacMatches, isFresh, tokenMatches, type HmacAlgorithm } from './webhook-signatures.js';
