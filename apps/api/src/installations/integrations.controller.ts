import { Controller, Get, Param } from '@nestjs/common';
import { OAuthConnectService } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { Allow } from '../auth/route-access.decorator.js';
import { integrationView } from './installation.dto.js';

@Controller('v1/integrations')
export class IntegrationsController {
  constructor(
    private readonly catalog: IntegrationRegistry,
    private readonly connect: OAuthConnectService,
  ) {}

  /** The integrations on offer, with their auth methods and settings forms (JSON Schema). */
  @Get()
  @Allow('member')
  list() {
    return {
      integrations: this.catalog
        .list()
        .map((integration) => integrationView(integration, this.connect.hasMooringClient(integration))),
    };
  }

  @Get(':id')
  @Allow('member')
  get(@Param('id') id: string) {
    const integration = this.catalog.get(id);
    return { integration: integrationView(integration, this.connect.hasMooringClient(integration)) };
  }
}
