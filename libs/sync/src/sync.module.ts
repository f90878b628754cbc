import { Module, type DynamicModule } from '@nestjs/common';
import { IntegrationRegistry } from '@mooring/integrations';
import { MappingValidator } from './mapping/index.js';
import { MappingTestBudget } from './mapping-test.js';
import { SyncStatusService } from './read-model/sync-status.service.js';
import { SyncEngine } from './sync-engine.service.js';

/** The sync engine and its status reads for Nest apps; repositories come from the global PersistenceModule. */
@Module({})
export class SyncModule {
  /** `integrations`: the process's registry (the same one its InstallationsModule has). */
  static forRoot(options: { readonly integrations: IntegrationRegistry }): DynamicModule {
    return {
      module: SyncModule,
      providers: [
        { provide: IntegrationRegistry, useValue: options.integrations },
        SyncEngine,
        MappingValidator,
        MappingTestBudget,
        SyncStatusService,
      ],
      exports: [SyncEngine, MappingValidator, MappingTestBudget, SyncStatusService],
    };
  }
}
