import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ApiClientService, type IssuedToken } from '@mooring/identity';
import { ZodPipe } from '../http/zod.pipe.js';
import { PublicRoute } from './route-access.decorator.js';

const accessTokenRequest = z.strictObject({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
});

@Controller('v1/auth')
export class AuthController {
  constructor(private readonly clients: ApiClientService) {}

  /** Port-compatible token exchange for service accounts. */
  @Post('access_token')
  @HttpCode(200)
  @PublicRoute()
  accessToken(@Body(new ZodPipe(accessTokenRequest)) body: z.output<typeof accessTokenRequest>): Promise<IssuedToken> {
    return this.clients.exchange(body.clientId, body.clientSecret);
  }
}
