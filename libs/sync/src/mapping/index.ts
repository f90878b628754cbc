// The mapping stage: Port's mapping shape parsed and validated (every expression compiled, paths
// named), and pages of raw items mapped to entities in worker threads, bounded in time and size.
// JSONata is compiled to JavaScript closures where it can be (jsonata/), JQ runs on the real jq
// (jq/). The rest of the engine uses only what is exported here.
export type { FieldWarning, ItemOutcome, MappedEntity, MappingFailure } from './entity-shape.js';
export { GUARDRAILS, LIMITS, type MappingErrorCode } from './limits.js';
export { MappingPool, closeSharedMappingPool, sharedMappingPool, type PageOptions, type PageOutcome } from './mapping-pool.js';
export {
  MAPPING_LANGUAGES,
  mappingSchema,
  type MappingConfig,
  type MappingLanguage,
  type ResourceConfig,
} from './mapping.schema.js';
export { mappingExpressions } from './mapping-expressions.js';
export { MappingValidator } from './mapping-validator.js';
export {
  parseMapping,
  validateMapping,
  type MappingIssue,
  type MappingOptions,
  type ParsedMapping,
  type ParsedResource,
} from './parse-mapping.js';
