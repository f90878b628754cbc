import { Body, Controller, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { api } from '@mooring/contract';
import { OrganizationService, PeopleService, type ClientInfo, type OpenedSession } from '@mooring/identity';
import { UserRepository } from '@mooring/persistence';
import { DomainError, currentTenant } from '@mooring/platform';
import { requestSession } from '../auth/access.guard.js';
import { clearSessionCookies, setSessionCookies } from '../auth/session-cookies.js';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { organizationView } from '../organization/organization.dto.js';
import { userView } from './people.dto.js';

const { auth, invitations } = api;

export function clientInfo(request: Request): ClientInfo {
  return { address: request.ip ?? 'unknown', userAgent: request.header('user-agent') ?? null };
}

/** Signs the browser in: the session and CSRF cookies, and who is now signed in. */
export function startSession(request: Request, response: Response, opened: OpenedSession) {
  setSessionCookies(request, response, opened);
  response.setHeader('Cache-Control', 'no-store');
  return { user: userView(opened.user), organization: organizationView(opened.organization) };
}

/** People signing in and out, accepting invitations, and who is calling. */
@Controller()
export class SessionController {
  constructor(
    private readonly people: PeopleService,
    private readonly users: UserRepository,
    private readonly organizations: OrganizationService,
  ) {}

  @Endpoint(auth.signIn)
  async signIn(
    @Body(new ZodPipe(auth.signIn.body)) body: z.output<typeof auth.signIn.body>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    return startSession(request, response, await this.people.signIn(body.email, body.password, clientInfo(request)));
  }

  @Endpoint(auth.signOut)
  async signOut(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.people.signOut(personSession(request));
    clearSessionCookies(request, response);
  }

  @Endpoint(auth.signOutEverywhere)
  async signOutEverywhere(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const session = personSession(request);
    await this.people.signOutEverywhere(session.tenant.orgId, session.tenant.principal.id);
    clearSessionCookies(request, response);
  }

  @Endpoint(auth.me)
  async me() {
    const { orgId, principal } = currentTenant();
    const user = principal.kind === 'user' ? await this.users.find(orgId, principal.id) : null;
    return {
      principal: {
        kind: principal.kind === 'user' ? ('user' as const) : ('api_client' as const),
        id: principal.id,
        name: user?.name ?? principal.name ?? principal.id,
        role: principal.role,
      },
      user: user && userView(user),
      organization: organizationView(await this.organizations.get(orgId)),
    };
  }

  @Endpoint(invitations.lookup)
  async lookupInvitation(@Body(new ZodPipe(invitations.lookup.body)) body: z.output<typeof invitations.lookup.body>) {
    const invitation = await this.people.lookupInvitation(body.token);
    return {
      email: invitation.email,
      role: invitation.role,
      organization: { name: invitation.organizationName },
      expiresAt: invitation.expiresAt.toISOString(),
    };
  }

  @Endpoint(invitations.accept)
  async acceptInvitation(
    @Body(new ZodPipe(invitations.accept.body)) body: z.output<typeof invitations.accept.body>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const opened = await this.people.acceptInvitation(body.token, body, clientInfo(request));
    return startSession(request, response, opened);
  }
}

function personSession(request: Request) {
  const session = requestSession(request);
  if (!session) {
    throw new DomainError('FORBIDDEN', 'Only a signed-in person has a session; revoke an API client instead', {
      reason: 'person_required',
    });
  }
  return session;
}
