import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { CryptoModule, type Vault } from '@mooring/crypto';
import { IntegrationRegistry, type ExpressionEvaluator } from '@mooring/integrations';
import { OutboundModule, type OutboundOptions } from '@mooring/outbound';
import { CredentialRewrapper } from './credential-rewrapper.js';
import { CredentialStore } from './credential-store.js';
import {
  BlueprintProvisioner,
  InstallationEntityCleaner,
  LiveEventHooks,
  MappingCheck,
  ResyncTrigger,
} from './installation-ports.js';
import { InstallationService } from './installation.service.js';
import { InstallationWorkflow } from './installation-workflow.js';
import { EXPRESSION_EVALUATOR, INSTALLATIONS_OPTIONS, type InstallationsOptions } from './installations.options.js';
import { IntegrationConnections } from './integration-connections.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { GithubAppInstallService } from './github-app/github-app-install.service.js';
import { OAuthConnectService } from './oauth/oauth-connect.service.js';
import { OAuthEndpoints } from './oauth/oauth-endpoints.js';
import { MintedTokens } from './minted-tokens.service.js';
import { OAuthTokens } from './oauth/oauth-tokens.service.js';
import { OutboundPolicyService } from './outbound-policy.service.js';

export interface InstallationsModuleOptions {
  readonly vault: Vault;
  readonly outbound: OutboundOptions;
  readonly installations: InstallationsOptions;
  /** The integrations on offer (IntegrationRegistry.fromConfig, or a test's own). */
  readonly integrations: IntegrationRegistry;
  /** The mapping engine's evaluators, which connections hand to integrations (settings that hold expressions). */
  readonly expressions?: ExpressionEvaluator;
}

/** A port's implementation: a class the api provides elsewhere, or (in tests) an object. */
export type PortBinding<T> = Type<T> | T;

export interface InstallationPorts {
  readonly blueprints: PortBinding<BlueprintProvisioner>;
  readonly mappings: PortBinding<MappingCheck>;
  readonly resyncs: PortBinding<ResyncTrigger>;
  readonly entities: PortBinding<InstallationEntityCleaner>;
  readonly liveEvents: PortBinding<LiveEventHooks>;
}

/** What every process that touches installations runs: credentials, connections, token refresh, the lifecycle. */
const CORE = [
  CredentialStore,
  OAuthEndpoints,
  OAuthTokens,
  MintedTokens,
  OutboundPolicyService,
  IntegrationConnections,
  InstallationLifecycle,
  CredentialRewrapper,
];
/** What managing installations adds (the api). */
const MANAGEMENT = [InstallationService, InstallationWorkflow, OAuthConnectService, GithubAppInstallService];

// Needs the global PersistenceModule and QueueModule (the lifecycle keeps schedules in step).
@Module({})
export class InstallationsModule {
  /** A worker: connections for sync runs, with the lifecycle their refused credentials go through. */
  static forRoot(options: InstallationsModuleOptions): DynamicModule {
    return {
      module: InstallationsModule,
      imports: [CryptoModule.forRoot(options.vault), OutboundModule.forRoot(options.outbound)],
      providers: [...baseProviders(options), ...CORE],
      exports: [IntegrationRegistry, ...CORE],
    };
  }

  /** The api: everything above, plus creating, changing and connecting installations through its ports. */
  static forApi(
    options: InstallationsModuleOptions & { readonly ports: InstallationPorts; readonly imports?: DynamicModule['imports'] },
  ): DynamicModule {
    const { ports } = options;
    return {
      module: InstallationsModule,
      imports: [CryptoModule.forRoot(options.vault), OutboundModule.forRoot(options.outbound), ...(options.imports ?? [])],
      providers: [
        ...baseProviders(options),
        ...CORE,
        ...MANAGEMENT,
        bind(BlueprintProvisioner, ports.blueprints),
        bind(MappingCheck, ports.mappings),
        bind(ResyncTrigger, ports.resyncs),
        bind(InstallationEntityCleaner, ports.entities),
        bind(LiveEventHooks, ports.liveEvents),
      ],
      exports: [IntegrationRegistry, ...CORE, ...MANAGEMENT],
    };
  }
}

function baseProviders(options: InstallationsModuleOptions): Provider[] {
  return [
    { provide: INSTALLATIONS_OPTIONS, useValue: options.installations },
    { provide: IntegrationRegistry, useValue: options.integrations },
    { provide: EXPRESSION_EVALUATOR, useValue: options.expressions ?? null },
  ];
}

function bind<T>(port: abstract new (...args: never[]) => T, binding: PortBinding<T>): Provider {
  return typeof binding === 'function' ? { provide: port, useExisting: binding } : { provide: port, useValue: binding };
}
