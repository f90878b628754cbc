import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import type { z } from 'zod';
import { currentTenant } from '@mooring/platform';
import { ApiClientService, OrganizationService } from '@mooring/identity';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  apiClientView,
  createApiClientRequest,
  organizationView,
  updateOrganizationRequest,
  uuidParam,
} from './organization.dto.js';

@Controller('v1/organization')
export class OrganizationController {
  constructor(
    private readonly organizations: OrganizationService,
    private readonly clients: ApiClientService,
  ) {}

  @Get()
  @Allow('member')
  async get() {
    return { organization: organizationView(await this.organizations.get(currentTenant().orgId)) };
  }

  @Patch()
  @Allow('admin')
  async update(@Body(new ZodPipe(updateOrganizationRequest)) body: z.output<typeof updateOrganizationRequest>) {
    return { organization: organizationView(await this.organizations.update(currentTenant().orgId, body)) };
  }

  @Get('api-clients')
  @Allow('admin')
  async listClients() {
    const clients = await this.clients.list(currentTenant().orgId);
    return { apiClients: clients.map(apiClientView) };
  }

  /** The secret is in this response only; Mooring keeps just its hash. */
  @Post('api-clients')
  @Allow('admin')
  async createClient(@Body(new ZodPipe(createApiClientRequest)) body: z.output<typeof createApiClientRequest>) {
    const { client, credentials } = await this.clients.create(currentTenant().orgId, body);
    return { apiClient: apiClientView(client), clientSecret: credentials.clientSecret };
  }

  @Delete('api-clients/:id')
  @Allow('admin')
  async revokeClient(@Param('id', new ZodPipe(uuidParam, 'path')) id: string) {
    return { apiClient: apiClientView(await this.clients.revoke(currentTenant().orgId, id)) };
  }
}
