import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { EntityService } from '@mooring/catalog';
import { currentTenant } from '@mooring/platform';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  blueprintParam,
  bulkEntitiesBody,
  deleteEntityQuery,
  encodeCursor,
  entityBody,
  entityParam,
  entityPatchBody,
  entityView,
  listEntitiesQuery,
  patchEntityQuery,
  writeEntityQuery,
} from './catalog.dto.js';

const blueprint = () => new ZodPipe(blueprintParam, 'path');

@Controller('v1/blueprints/:blueprint/entities')
export class EntityController {
  constructor(private readonly entities: EntityService) {}

  /** A page in identifier order; `next` is the cursor of the following page, or null. */
  @Get()
  @Allow('member')
  async list(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(listEntitiesQuery, 'query')) query: z.output<typeof listEntitiesQuery>,
  ) {
    const page = await this.entities.list(currentTenant().orgId, blueprintId, {
      limit: query.limit,
      ...(query.cursor !== undefined ? { after: query.cursor } : {}),
      ...(query.search ? { search: query.search } : {}),
      ...(query.installation_id ? { installationId: query.installation_id } : {}),
    });
    return { entities: page.entities.map(entityView), next: encodeCursor(page.next) };
  }

  @Get(':identifier')
  @Allow('member')
  async get(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
  ) {
    return { entity: entityView(await this.entities.get(currentTenant().orgId, blueprintId, identifier)) };
  }

  /** Port's create: 409 if it exists, unless `upsert=true` (then `merge=true` merges into it). */
  @Post()
  @Allow('moderator')
  async create(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(writeEntityQuery, 'query')) query: z.output<typeof writeEntityQuery>,
    @Body(new ZodPipe(entityBody, 'entity')) body: z.output<typeof entityBody>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { entity, created } = await this.entities.upsert(
      currentTenant().orgId,
      blueprintId,
      { ...body, blueprint: blueprintId },
      {
        upsert: query.upsert,
        merge: query.merge,
        createMissingRelatedEntities: query.create_missing_related_entities,
      },
    );
    response.status(created ? 201 : 200);
    return { entity: entityView(entity), created };
  }

  /** Each entity succeeds or fails on its own: `entities` were written, `errors` say why the rest were not. */
  @Post('bulk')
  @HttpCode(200)
  @Allow('moderator')
  async bulk(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(writeEntityQuery, 'query')) query: z.output<typeof writeEntityQuery>,
    @Body(new ZodPipe(bulkEntitiesBody, 'request')) body: z.output<typeof bulkEntitiesBody>,
  ) {
    return this.entities.bulkUpsert(
      currentTenant().orgId,
      blueprintId,
      body.entities.map((entity) => ({ ...entity, blueprint: blueprintId })),
      { upsert: query.upsert, merge: query.merge, createMissingRelatedEntities: query.create_missing_related_entities },
    );
  }

  /** Merges the given fields into an existing entity. */
  @Patch(':identifier')
  @Allow('moderator')
  async patch(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
    @Query(new ZodPipe(patchEntityQuery, 'query')) query: z.output<typeof patchEntityQuery>,
    @Body(new ZodPipe(entityPatchBody, 'entity')) body: z.output<typeof entityPatchBody>,
  ) {
    const entity = await this.entities.patch(
      currentTenant().orgId,
      blueprintId,
      identifier,
      body,
      query.create_missing_related_entities,
    );
    return { entity: entityView(entity) };
  }

  /** With `delete_dependents=true`, entities relating to it are deleted too (Port's semantics). */
  @Delete(':identifier')
  @Allow('moderator')
  async delete(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
    @Query(new ZodPipe(deleteEntityQuery, 'query')) query: z.output<typeof deleteEntityQuery>,
  ) {
    const result = await this.entities.delete(currentTenant().orgId, blueprintId, identifier, {
      deleteDependents: query.delete_dependents,
    });
    return { deleted: result.deleted };
  }
}
