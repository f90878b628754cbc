import { metrics } from '@opentelemetry/api';
import { CredentialStore, IntegrationConnections } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { HookRegistrations, LiveEventApplier, LiveEventMetrics, LiveEventWorker } from '@mooring/live-events';
import { BlueprintRepository, InstallationRepository, LiveEventRepository, SyncCatalogRepository } from '@mooring/persistence';
import { LiveEventQueue } from '@mooring/queue';
import type { TestApi } from './test-api.js';

// What the worker process builds for live events, over the test api's own services: specs drain
// and register in-process instead of starting a worker.

export function liveEventApplier(api: TestApi): LiveEventApplier {
  return new LiveEventApplier(
    api.app.get(LiveEventRepository),
    api.app.get(InstallationRepository),
    api.app.get(SyncCatalogRepository),
    api.app.get(BlueprintRepository),
    api.app.get(IntegrationRegistry),
    api.app.get(IntegrationConnections),
    new LiveEventMetrics(metrics.getMeter('test')),
  );
}

export function liveEventWorker(api: TestApi, applier = liveEventApplier(api)): LiveEventWorker {
  return new LiveEventWorker(
    applier,
    api.app.get(HookRegistrations),
    api.app.get(InstallationRepository),
    api.app.get(IntegrationConnections),
    api.app.get(LiveEventRepository),
    api.app.get(LiveEventQueue),
    api.app.get(CredentialStore),
    api.app.get(IntegrationRegistry),
  );
}
