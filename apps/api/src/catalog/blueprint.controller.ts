import { Body, Controller, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { api, blueprintIdentifier, type BlueprintBody } from '@mooring/contract';
import { BlueprintService } from '@mooring/catalog';
import { currentTenant } from '@mooring/platform';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { blueprintView } from './catalog.dto.js';

const routes = api.blueprints;
const blueprintParam = blueprintIdentifier;

@Controller()
export class BlueprintController {
  constructor(private readonly blueprints: BlueprintService) {}

  @Endpoint(routes.list)
  async list() {
    return { blueprints: (await this.blueprints.list(currentTenant().orgId)).map(blueprintView) };
  }

  @Endpoint(routes.get)
  async get(@Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string) {
    return { blueprint: blueprintView(await this.blueprints.get(currentTenant().orgId, identifier)) };
  }

  @Endpoint(routes.create)
  async create(@Body(new ZodPipe(routes.create.body, 'blueprint')) body: BlueprintBody) {
    return { blueprint: blueprintView(await this.blueprints.create(currentTenant().orgId, body)) };
  }

  @Endpoint(routes.replace)
  async replace(
    @Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string,
    @Body(new ZodPipe(routes.create.body, 'blueprint')) body: BlueprintBody,
  ) {
    return { blueprint: blueprintView(await this.blueprints.update(currentTenant().orgId, identifier, body)) };
  }

  /** A blueprint with entities needs `delete_entities=true`; they are deleted with it. */
  @Endpoint(routes.delete)
  async delete(
    @Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string,
    @Query(new ZodPipe(routes.delete.query, 'query')) query: z.output<typeof routes.delete.query>,
  ) {
    return this.blueprints.delete(currentTenant().orgId, identifier, { deleteEntities: query.delete_entities });
  }
}
