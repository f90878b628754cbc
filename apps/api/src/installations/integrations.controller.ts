import { Controller, Param } from '@nestjs/common';
import { api } from '@mooring/contract';
import { GithubAppInstallService, OAuthConnectService } from '@mooring/installations';
import { IntegrationRegistry, type IntegrationDefinition } from '@mooring/integrations';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { integrationView } from './installation.dto.js';

const routes = api.integrations;

@Controller()
export class IntegrationsController {
  constructor(
    private readonly catalog: IntegrationRegistry,
    private readonly connect: OAuthConnectService,
    private readonly githubApp: GithubAppInstallService,
  ) {}

  /** The integrations on offer, with their auth methods and settings forms (JSON Schema). */
  @Endpoint(routes.list)
  list() {
    return {
      integrations: this.catalog.list().map((integration) => this.view(integration)),
    };
  }

  @Endpoint(routes.get)
  get(@Param('id', new ZodPipe(routes.get.params.shape.id, 'path')) id: string) {
    const integration = this.catalog.get(id);
    return { integration: this.view(integration) };
  }

  private view(integration: IntegrationDefinition) {
    return integrationView(integration, this.connect.hasMooringClient(integration), this.githubApp.appFor(integration.id));
  }
}
