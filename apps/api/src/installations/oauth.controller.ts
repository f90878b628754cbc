import { Body, Controller, Header, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { PeopleService } from '@mooring/identity';
import { OAuthConnectService, connectCookieName, type CallbackBrowser, type CallbackQuery } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { currentTenant, type TenantContext } from '@mooring/platform';
import { clearCallbackCookie, readCookie } from '../auth/session-cookies.js';
import { signedInPerson } from '../auth/signed-in-person.js';
import { Endpoint } from '../http/endpoint.decorator.js';
import { consoleOrigin, startedConnect } from './connect-started.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { installationView } from './installation.dto.js';

const routes = api.oauth;

/**
 * OAuth connect, bound to the browser and the person that start it: starting sets an HttpOnly
 * cookie in that browser (Mooring's own origin), and the callback goes ahead only when it comes
 * back from there with the same person signed in.
 */
@Controller()
export class OAuthController {
  constructor(
    private readonly connect: OAuthConnectService,
    private readonly people: PeopleService,
    private readonly catalog: IntegrationRegistry,
  ) {}

  /** Opens a connect session; the web app then sends the browser to the returned authorization URL. */
  @Endpoint(routes.connect)
  async start(
    @Body(new ZodPipe(routes.connect.body)) body: z.output<typeof routes.connect.body>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const started = await this.connect.start(currentTenant(), { ...body, consoleOrigin: consoleOrigin(request) });
    return startedConnect(request, response, started, '/v1/oauth');
  }

  @Endpoint(routes.session)
  async session(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { session, installation, status } = await this.connect.describe(currentTenant(), id);
    return {
      connectSession: {
        id: session.id,
        integrationId: session.integrationId,
        installation: installation && { id: installation.id, name: installation.name, account: installation.providerAccount },
        proposedAccount: session.pendingAccount,
        status,
        expiresAt: session.expiresAt.toISOString(),
      },
    };
  }

  /** Accepts a reconnect that returned another provider account (from the browser that started it). */
  @Endpoint(routes.confirm)
  async confirm(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const tenant = currentTenant();
    const installation = await this.connect.confirmAccountChange(tenant, id, this.browser(request, tenant));
    clearCallbackCookie(request, response, connectCookieName(id));
    // Reconnected through OAuth: not an installation of Mooring's App.
    return { installation: installationView(installation, this.catalog.find(installation.integrationId), null) };
  }

  /**
   * The provider's redirect. Sends the browser back to the session's return URL with the outcome;
   * a state that matches no session gets a coded JSON error instead (there is nowhere to return to).
   */
  @Endpoint(routes.callback)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const text = (key: keyof CallbackQuery) => (typeof query[key] === 'string' ? query[key] : undefined);
    const outcome = await this.connect.complete(
      { state: text('state'), code: text('code'), error: text('error'), iss: text('iss') },
      this.browser(request, await signedInPerson(this.people, request)),
    );
    if (!outcome.keepBinding) clearCallbackCookie(request, response, connectCookieName(outcome.sessionId));
    response.redirect(302, outcome.url);
  }

  private browser(request: Request, person: TenantContext | undefined): CallbackBrowser {
    return { binding: (sessionId) => readCookie(request, connectCookieName(sessionId)), person };
  }
}
