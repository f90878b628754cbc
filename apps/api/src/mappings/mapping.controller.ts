import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { getIntegration } from '@mooring/integrations';
import { BlueprintRepository } from '@mooring/persistence';
import { currentTenant } from '@mooring/platform';
import { MappingTestBudget, testMapping } from '@mooring/sync';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

export const mappingTestBody = z.strictObject({
  mapping: z.record(z.string(), z.unknown()),
  /** Raw items per kind, in the tool's shape (e.g. an installation's raw samples). */
  samples: z.record(z.string(), z.array(z.record(z.string(), z.json())).max(100)),
  /** When given, kinds and selector keys are checked against this integration. */
  integration: z.string().min(1).max(100).optional(),
});

@Controller('v1/mappings')
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
  @Post('test')
  @HttpCode(200)
  @Allow('member')
  async test(@Body(new ZodPipe(mappingTestBody, 'request')) body: z.output<typeof mappingTestBody>) {
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
