import { Module } from '@nestjs/common';
import { MappingValidator } from './mapping/mapping-validator.js';
import { SyncEngine } from './sync-engine.service.js';

/** The sync engine for Nest apps; repositories come from the global PersistenceModule. */
@Module({ providers: [SyncEngine, MappingValidator], exports: [SyncEngine, MappingValidator] })
export class SyncModule {}
