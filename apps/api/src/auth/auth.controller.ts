import { Body, Controller } from '@nestjs/common';
import type { z } from 'zod';
import { api, type ResponseOf } from '@mooring/contract';
import { ApiClientService } from '@mooring/identity';
import { Endpoint } from '../http/endpoint.decorator.js';
import { RouteLimits } from '../http/route-limits.js';
import { ZodPipe } from '../http/zod.pipe.js';

@Controller()
export class AuthController {
  constructor(
    private readonly clients: ApiClientService,
    private readonly limits: RouteLimits,
  ) {}

  /** Port-compatible token exchange for service accounts; limited per organization once the client is known. */
  @Endpoint(api.auth.accessToken)
  accessToken(
    @Body(new ZodPipe(api.auth.accessToken.body)) body: z.output<typeof api.auth.accessToken.body>,
  ): Promise<ResponseOf<typeof api.auth.accessToken>> {
    return this.clients.exchange(body.clientId, body.clientSecret, (orgId) => this.limits.admit(api.auth.accessToken, { orgId }));
  }
}
