import { Module } from '@nestjs/common';
import { BlueprintService } from './blueprint.service.js';
import { EntityService } from './entity.service.js';

const SERVICES = [BlueprintService, EntityService];

/** The catalog services; repositories come from the global PersistenceModule. */
@Module({ providers: SERVICES, exports: SERVICES })
export class CatalogModule {}
