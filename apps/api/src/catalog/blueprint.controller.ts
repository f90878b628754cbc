import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import { BlueprintService, blueprintBody, type BlueprintBody } from '@mooring/catalog';
import { currentTenant } from '@mooring/platform';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { blueprintParam, blueprintView, deleteBlueprintQuery } from './catalog.dto.js';

@Controller('v1/blueprints')
export class BlueprintController {
  constructor(private readonly blueprints: BlueprintService) {}

  @Get()
  @Allow('member')
  async list() {
    return { blueprints: (await this.blueprints.list(currentTenant().orgId)).map(blueprintView) };
  }

  @Get(':blueprint')
  @Allow('member')
  async get(@Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string) {
    return { blueprint: blueprintView(await this.blueprints.get(currentTenant().orgId, identifier)) };
  }

  @Post()
  @Allow('admin')
  async create(@Body(new ZodPipe(blueprintBody, 'blueprint')) body: BlueprintBody) {
    return { blueprint: blueprintView(await this.blueprints.create(currentTenant().orgId, body)) };
  }

  @Put(':blueprint')
  @Allow('admin')
  async replace(
    @Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string,
    @Body(new ZodPipe(blueprintBody, 'blueprint')) body: BlueprintBody,
  ) {
    return { blueprint: blueprintView(await this.blueprints.update(currentTenant().orgId, identifier, body)) };
  }

  /** A blueprint with entities needs `delete_entities=true`; they are deleted with it. */
  @Delete(':blueprint')
  @Allow('admin')
  async delete(
    @Param('blueprint', new ZodPipe(blueprintParam, 'path')) identifier: string,
    @Query(new ZodPipe(deleteBlueprintQuery, 'query')) query: z.output<typeof deleteBlueprintQuery>,
  ) {
    return this.blueprints.delete(currentTenant().orgId, identifier, { deleteEntities: query.delete_entities });
  }
}
