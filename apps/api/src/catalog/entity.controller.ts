import { Body, Controller, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { api, blueprintIdentifier, entityIdentifier } from '@mooring/contract';
import { EntityService } from '@mooring/catalog';
import { currentTenant } from '@mooring/platform';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { decodeEntityCursor, encodeCursor, entityView } from './catalog.dto.js';

const routes = api.entities;
const blueprint = () => new ZodPipe(blueprintIdentifier, 'path');
const entityParam = entityIdentifier;

@Controller()
export class EntityController {
  constructor(private readonly entities: EntityService) {}

  /** A page in identifier order; `next` is the cursor of the following page, or null. */
  @Endpoint(routes.list)
  async list(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(routes.list.query, 'query')) query: z.output<typeof routes.list.query>,
  ) {
    const page = await this.entities.list(currentTenant().orgId, blueprintId, {
      limit: query.limit,
      ...(query.cursor !== undefined ? { after: decodeEntityCursor(query.cursor) } : {}),
      ...(query.search ? { search: query.search } : {}),
      ...(query.installation_id ? { installationId: query.installation_id } : {}),
    });
    return { entities: page.entities.map(entityView), next: encodeCursor(page.next) };
  }

  @Endpoint(routes.get)
  async get(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
  ) {
    return { entity: entityView(await this.entities.get(currentTenant().orgId, blueprintId, identifier)) };
  }

  /** Port's create: 409 if it exists, unless `upsert=true` (then `merge=true` merges into it). */
  @Endpoint(routes.create)
  async create(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(routes.create.query, 'query')) query: z.output<typeof routes.create.query>,
    @Body(new ZodPipe(routes.create.body, 'entity')) body: z.output<typeof routes.create.body>,
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
  @Endpoint(routes.bulk)
  async bulk(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Query(new ZodPipe(routes.create.query, 'query')) query: z.output<typeof routes.create.query>,
    @Body(new ZodPipe(routes.bulk.body, 'request')) body: z.output<typeof routes.bulk.body>,
  ) {
    return this.entities.bulkUpsert(
      currentTenant().orgId,
      blueprintId,
      body.entities.map((entity) => ({ ...entity, blueprint: blueprintId })),
      { upsert: query.upsert, merge: query.merge, createMissingRelatedEntities: query.create_missing_related_entities },
    );
  }

  /** Merges the given fields into an existing entity. */
  @Endpoint(routes.patch)
  async patch(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
    @Query(new ZodPipe(routes.patch.query, 'query')) query: z.output<typeof routes.patch.query>,
    @Body(new ZodPipe(routes.patch.body, 'entity')) body: z.output<typeof routes.patch.body>,
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
  @Endpoint(routes.delete)
  async delete(
    @Param('blueprint', blueprint()) blueprintId: string,
    @Param('identifier', new ZodPipe(entityParam, 'path')) identifier: string,
    @Query(new ZodPipe(routes.delete.query, 'query')) query: z.output<typeof routes.delete.query>,
  ) {
    const result = await this.entities.delete(currentTenant().orgId, blueprintId, identifier, {
      deleteDependents: query.delete_dependents,
    });
    return { deleted: result.deleted };
  }
}
