import { Module } from '@nestjs/common';
import { MappingValidator } from './mapping/index.js';
import { MappingTestBudget } from './mapping-test.js';
import { SyncStatusService } from './status/sync-status.service.js';
import { SyncEngine } from './sync-engine.service.js';

/** The sync engine and its status reads for Nest apps; repositories come from the global PersistenceModule. */
@Module({
  providers: [SyncEngine, MappingValidator, MappingTestBudget, SyncStatusService],
  exports: [SyncEngine, MappingValidator, MappingTestBudget, SyncStatusService],
})
export class SyncModule {}
