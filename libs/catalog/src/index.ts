export * from './blueprint.schema.js';
export { BlueprintService } from './blueprint.service.js';
export { CatalogModule } from './catalog.module.js';
export { EntityService, type BulkResult, type WriteOptions } from './entity.service.js';
export { EntityValidator, relationTargets } from './entity-validator.js';
