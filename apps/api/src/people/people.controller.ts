import { Body, Controller, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { PeopleService } from '@mooring/identity';
import { currentTenant } from '@mooring/platform';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { invitationView, userView } from './people.dto.js';

const routes = api.organization;

/** The organization's people and invitations. */
@Controller()
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Endpoint(routes.listUsers)
  async listUsers() {
    return { users: (await this.people.listUsers(currentTenant().orgId)).map(userView) };
  }

  @Endpoint(routes.updateUser)
  async updateUser(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Body(new ZodPipe(routes.updateUser.body)) body: z.output<typeof routes.updateUser.body>,
  ) {
    return { user: userView(await this.people.changeRole(currentTenant().orgId, id, body.role)) };
  }

  @Endpoint(routes.removeUser)
  async removeUser(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    return { user: userView(await this.people.removeUser(currentTenant().orgId, id)) };
  }

  @Endpoint(routes.listInvitations)
  async listInvitations() {
    return { invitations: (await this.people.listInvitations(currentTenant().orgId)).map(invitationView) };
  }

  /**
   * The link carries its token in the fragment, which browsers never send to a server: it cannot
   * end up in an access log. The web app reads it and posts it to /v1/invitations/accept.
   */
  @Endpoint(routes.createInvitation)
  async createInvitation(
    @Body(new ZodPipe(routes.createInvitation.body)) body: z.output<typeof routes.createInvitation.body>,
    @Req() request: Request,
  ) {
    const { invitation, token } = await this.people.invite(currentTenant(), body);
    const origin = `${request.protocol}://${request.get('host')}`;
    return { invitation: invitationView(invitation), inviteUrl: `${origin}/invitations/accept#token=${token}` };
  }

  @Endpoint(routes.revokeInvitation)
  async revokeInvitation(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    return { invitation: invitationView(await this.people.revokeInvitation(currentTenant().orgId, id)) };
  }
}
