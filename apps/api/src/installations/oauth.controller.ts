import { Body, Controller, Header, Query, Redirect } from '@nestjs/common';
import type { z } from 'zod';
import { api } from '@mooring/contract';
import { OAuthConnectService, type CallbackQuery } from '@mooring/installations';
import { currentTenant } from '@mooring/platform';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

const routes = api.oauth;

@Controller()
export class OAuthController {
  constructor(private readonly connect: OAuthConnectService) {}

  /** Opens a connect session; the web app sends the browser to the returned authorization URL. */
  @Endpoint(routes.connect)
  async start(@Body(new ZodPipe(routes.connect.body)) body: z.output<typeof routes.connect.body>) {
    const { authorizationUrl, expiresAt } = await this.connect.start(currentTenant(), body);
    return { authorizationUrl, expiresAt: expiresAt.toISOString() };
  }

  /**
   * The provider's redirect. Sends the browser back to the session's return URL with the outcome;
   * a state that matches no session gets a coded JSON error instead (there is nowhere to return to).
   */
  @Endpoint(routes.callback)
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Query() query: Record<string, unknown>) {
    const text = (key: keyof CallbackQuery) => (typeof query[key] === 'string' ? query[key] : undefined);
    const url = await this.connect.complete({
      state: text('state'),
      code: text('code'),
      error: text('error'),
      error_description: text('error_description'),
    });
    return { url, statusCode: 302 };
  }
}
