import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Meter } from '@opentelemetry/api';
import { Vault } from '@mooring/crypto';
import { CredentialStore, InstallationLifecycle } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { LIVE_EVENT_CONSUMER_OPTIONS, LIVE_EVENT_HANDLER, LiveEventConsumer, type ConsumerOptions } from '@mooring/queue';
import { AppWebhookEdge } from './app-webhook-edge.service.js';
import { HookRegistrations } from './hook-registrations.service.js';
import { HookSecrets } from './hook-secrets.js';
import { LiveEventApplier } from './live-event-applier.js';
import { LiveEventEdge } from './live-event-edge.service.js';
import { LIVE_EVENTS_METRICS, LiveEventMetrics } from './live-event-metrics.js';
import { LiveEventStatus } from './live-event-status.service.js';
import { LiveEventWorker } from './live-event-worker.js';
import {
  LIVE_EVENTS_OAUTH_CLIENTS,
  LIVE_EVENTS_OPTIONS,
  LIVE_EVENTS_PLATFORM_APPS,
  type LiveEventsOptions,
  type OAuthClientSecrets,
  type PlatformApps,
} from './live-events.options.js';

export interface LiveEventsModuleOptions {
  readonly options: LiveEventsOptions;
  readonly vault: Vault;
  readonly integrations: IntegrationRegistry;
  readonly meter: Meter;
  /** The platform's OAuth applications (the api's OAUTH_CLIENTS), for tools that sign deliveries with them. */
  readonly oauthClients?: OAuthClientSecrets;
  /** The platform's own Apps (the api's GITHUB_APP_*), for the App webhook. */
  readonly platformApps?: PlatformApps;
}

// Needs the global PersistenceModule and QueueModule.
@Module({})
export class LiveEventsModule {
  /** The api: the edge, hooks (created at install, rotated, removed), counts and log. */
  static forApi(options: LiveEventsModuleOptions): DynamicModule {
    const shared = [HookSecrets, HookRegistrations, LiveEventStatus];
    return {
      module: LiveEventsModule,
      // The App webhook moves installations' states and forgets revoked tokens: both (stateless) bound here too.
      providers: [...base(options), ...shared, LiveEventEdge, AppWebhookEdge, InstallationLifecycle, CredentialStore],
      exports: [...shared, LiveEventEdge, AppWebhookEdge],
    };
  }

  /**
   * Workers: applying deliveries and registering hooks. `installations`: the worker's
   * InstallationsModule (connections to tools).
   */
  static forWorker(
    options: LiveEventsModuleOptions & { readonly installations: DynamicModule; readonly consumer: ConsumerOptions },
  ): DynamicModule {
    return {
      module: LiveEventsModule,
      imports: [options.installations],
      providers: [
        ...base(options),
        HookSecrets,
        HookRegistrations,
        LiveEventApplier,
        LiveEventConsumer,
        LiveEventWorker,
        { provide: LIVE_EVENT_CONSUMER_OPTIONS, useValue: options.consumer },
        { provide: LIVE_EVENT_HANDLER, useExisting: LiveEventWorker },
      ],
      exports: [LiveEventWorker, LiveEventConsumer, LiveEventApplier, HookRegistrations],
    };
  }
}

function base(options: LiveEventsModuleOptions): Provider[] {
  return [
    { provide: LIVE_EVENTS_OPTIONS, useValue: options.options },
    { provide: Vault, useValue: options.vault },
    { provide: IntegrationRegistry, useValue: options.integrations },
    { provide: LIVE_EVENTS_METRICS, useValue: new LiveEventMetrics(options.meter) },
    { provide: LIVE_EVENTS_OAUTH_CLIENTS, useValue: options.oauthClients ?? {} },
    { provide: LIVE_EVENTS_PLATFORM_APPS, useValue: options.platformApps ?? {} },
  ];
}
