import { Body, Controller } from '@nestjs/common';
import type { z } from 'zod';
import { api } from '@mooring/contract';
import { getIntegration } from '@mooring/integrations';
import { BlueprintRepository } from '@mooring/persistence';
import { currentTenant } from '@mooring/platform';
import { MappingTestBudget, testMapping } from '@mooring/sync';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

const route = api.mappings.test;

@Controller()
export class MappingController {
  constructor(
    private readonly blueprints: BlueprintRepository,
    private readonly budget: MappingTestBudget,
  ) {}

  /**
   * Maps sample items as a sync would and returns, per resource and item, the entity or the error
   * (including validation against the org's blueprints). Writes nothing. Evaluation is bounded per
   * request and per organization (429 with Retry-After beyond its share).
   */
  @Endpoint(route)
  async test(@Body(new ZodPipe(route.body, 'request')) body: z.output<typeof route.body>) {
    const { orgId } = currentTenant();
    return this.budget.run(orgId, () =>
      testMapping(body.mapping, body.samples, {
        orgId,
        blueprints: this.blueprints,
        pool: this.budget.pool,
        ...(body.integration ? { integration: getIntegration(body.integration) } : {}),
      }),
    );
  }
}
