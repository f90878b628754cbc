import { Body, Controller, Header, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { api } from '@mooring/contract';
import { PeopleService } from '@mooring/identity';
import { GithubAppInstallService, connectCookieName, type CallbackBrowser } from '@mooring/installations';
import { currentTenant } from '@mooring/platform';
import { clearCallbackCookie, readCookie } from '../auth/session-cookies.js';
import { signedInPerson } from '../auth/signed-in-person.js';
import { Endpoint } from '../http/endpoint.decorator.js';
import { consoleOrigin, startedConnect } from './connect-started.js';
import { ZodPipe } from '../http/zod.pipe.js';

const routes = api.githubApp;
// The binding cookie goes only to the Setup URL.
const COOKIE_PATH = '/v1/github-app';

/**
 * "Install the GitHub App", bound like OAuth connect to the browser and the person that start it:
 * starting sets an HttpOnly cookie in that browser, and GitHub's redirect to the Setup URL goes
 * ahead only when it comes back from there with the same person signed in.
 */
@Controller()
export class GithubAppController {
  constructor(
    private readonly install: GithubAppInstallService,
    private readonly people: PeopleService,
  ) {}

  @Endpoint(routes.install)
  async start(
    @Body(new ZodPipe(routes.install.body)) body: z.output<typeof routes.install.body>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const started = await this.install.start(currentTenant(), { ...body, consoleOrigin: consoleOrigin(request) });
    return startedConnect(request, response, started, COOKIE_PATH);
  }

  /** GitHub's redirect after an install; a state that matches no installation in progress gets a coded JSON error. */
  @Endpoint(routes.setup)
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async setup(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const text = (key: string) => (typeof query[key] === 'string' ? query[key] : undefined);
    const person = await signedInPerson(this.people, request);
    const browser: CallbackBrowser = { binding: (sessionId) => readCookie(request, connectCookieName(sessionId)), person };
    const outcome = await this.install.complete(
      { state: text('state'), installationId: text('installation_id'), setupAction: text('setup_action') },
      browser,
    );
    clearCallbackCookie(request, response, connectCookieName(outcome.sessionId), COOKIE_PATH);
    response.redirect(302, outcome.url);
  }
}
