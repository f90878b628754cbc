import { Body, Controller, Param } from '@nestjs/common';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { currentTenant } from '@mooring/platform';
import { ApiClientService, OrganizationService } from '@mooring/identity';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { apiClientView, organizationView } from './organization.dto.js';

const { organization: routes } = api;

@Controller()
export class OrganizationController {
  constructor(
    private readonly organizations: OrganizationService,
    private readonly clients: ApiClientService,
  ) {}

  @Endpoint(routes.get)
  async get() {
    return { organization: organizationView(await this.organizations.get(currentTenant().orgId)) };
  }

  @Endpoint(routes.update)
  async update(@Body(new ZodPipe(routes.update.body)) body: z.output<typeof routes.update.body>) {
    return { organization: organizationView(await this.organizations.update(currentTenant().orgId, body)) };
  }

  @Endpoint(routes.listApiClients)
  async listClients() {
    const clients = await this.clients.list(currentTenant().orgId);
    return { apiClients: clients.map(apiClientView) };
  }

  /** The secret is in this response only; Mooring keeps just its hash. */
  @Endpoint(routes.createApiClient)
  async createClient(@Body(new ZodPipe(routes.createApiClient.body)) body: z.output<typeof routes.createApiClient.body>) {
    const { client, credentials } = await this.clients.create(currentTenant().orgId, body);
    return { apiClient: apiClientView(client), clientSecret: credentials.clientSecret };
  }

  @Endpoint(routes.revokeApiClient)
  async revokeClient(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    return { apiClient: apiClientView(await this.clients.revoke(currentTenant().orgId, id)) };
  }
}
