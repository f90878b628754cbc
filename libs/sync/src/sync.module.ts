import { Module } from '@nestjs/common';
import { SyncEngine } from './sync-engine.service.js';

/** The sync engine for Nest apps; repositories come from the global PersistenceModule. */
@Module({ providers: [SyncEngine], exports: [SyncEngine] })
export class SyncModule {}
