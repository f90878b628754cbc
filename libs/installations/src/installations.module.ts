import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CryptoModule, type Vault } from '@mooring/crypto';
import { offeredIntegrations } from '@mooring/integrations';
import { OutboundModule, type OutboundOptions } from '@mooring/outbound';
import { CredentialRewrapper } from './credential-rewrapper.js';
import { CredentialStore } from './credential-store.js';
import { INTEGRATION_REGISTRY } from './installation-hooks.js';
import { InstallationService } from './installation.service.js';
import { InstallationWorkflow } from './installation-workflow.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from './installations.options.js';
import { IntegrationConnections } from './integration-connections.js';
import { IntegrationCatalog } from './integration-catalog.js';
import { OAuthConnectService } from './oauth/oauth-connect.service.js';
import { OAuthEndpoints } from './oauth/oauth-endpoints.js';
import { OAuthTokens } from './oauth/oauth-tokens.service.js';
import { OutboundPolicyService } from './outbound-policy.service.js';

export interface InstallationsModuleOptions {
  readonly vault: Vault;
  readonly outbound: OutboundOptions;
  readonly installations: InstallationsOptions;
  /**
   * Bindings of the hooks (BLUEPRINT_PROVISIONER, MAPPING_VALIDATOR, RESYNC_TRIGGER,
   * SCHEDULE_CONTROL, INSTALLATION_ENTITY_CLEANER) and, in tests, INTEGRATION_REGISTRY.
   */
  readonly providers?: readonly Provider[];
  /** Modules those bindings need. */
  readonly imports?: DynamicModule['imports'];
}

const EXPORTED = [
  InstallationService,
  OAuthConnectService,
  IntegrationConnections,
  IntegrationCatalog,
  CredentialRewrapper,
  OAuthTokens,
];

@Module({})
export class InstallationsModule {
  static forRoot(options: InstallationsModuleOptions): DynamicModule {
    return {
      module: InstallationsModule,
      imports: [CryptoModule.forRoot(options.vault), OutboundModule.forRoot(options.outbound), ...(options.imports ?? [])],
      providers: [
        { provide: INSTALLATIONS_OPTIONS, useValue: options.installations },
        {
          provide: INTEGRATION_REGISTRY,
          useValue: offeredIntegrations({ fakeEnabled: options.installations.fakeEnabled ?? false }),
        },
        CredentialStore,
        OAuthEndpoints,
        OutboundPolicyService,
        InstallationWorkflow,
        ...EXPORTED,
        ...(options.providers ?? []),
      ],
      exports: EXPORTED,
    };
  }
}
