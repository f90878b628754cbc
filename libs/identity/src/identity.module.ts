import { Module, type DynamicModule } from '@nestjs/common';
import { AccessTokenService } from './access-token.service.js';
import { ApiClientService } from './api-client.service.js';
import { IDENTITY_OPTIONS, type IdentityOptions } from './identity.options.js';
import { OrganizationService } from './organization.service.js';
import { PeopleService } from './people.service.js';

const SERVICES = [AccessTokenService, ApiClientService, OrganizationService, PeopleService];

@Module({})
export class IdentityModule {
  static forRoot(options: IdentityOptions): DynamicModule {
    return {
      module: IdentityModule,
      providers: [{ provide: IDENTITY_OPTIONS, useValue: options }, ...SERVICES],
      exports: SERVICES,
    };
  }
}
