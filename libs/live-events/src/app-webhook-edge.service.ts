import { Inject, Injectable, Logger } from '@nestjs/common';
import { CredentialStore, InstallationLifecycle } from '@mooring/installations';
import { IntegrationRegistry, type JsonValue, type WebhookDelivery } from '@mooring/integrations';
import { LiveEventRepository } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';
import { LiveEventQueue } from '@mooring/queue';
import { DeliveryGroupCommit } from './delivery-group-commit.js';
import { keptHeaders, refusalMessage, unverifiedHeader } from './live-event-edge.service.js';
import { LIVE_EVENTS_METRICS, type LiveEventMetrics } from './live-event-metrics.js';
import { LIVE_EVENTS_PLATFORM_APPS, type PlatformApps } from './live-events.options.js';

/** What the App webhook answers: 202 accepted for at least one installation, 200 otherwise (GitHub must not retry). */
export interface AppEdgeAnswer {
  readonly status: 200 | 202;
  readonly body: {
    readonly status: 'accepted' | 'duplicate' | 'ignored';
    readonly deliveryId: string | null;
    /** Why nothing was stored (`ignored`): no Mooring installation on the App's instance is connected to the App installation. */
    readonly reason?: string;
  };
}

const ROUTE_CACHE_MS = 5_000;
const MAX_HEADER_LENGTH = 200;
type Targets = ReadonlyArray<{ orgId: string; installationId: string }>;

/**
 * `POST /v1/hooks/apps/:integrationId`: the one webhook of the platform's own App (GitHub's), where
 * the tool sends every installation's events. Verified with the App's webhook secret on the raw
 * bytes (timing-safe, the integration's `verify`) before anything else; then routed by the App
 * installation the delivery names to the Mooring installations authenticated as it on the App's own
 * instance (its API base URL: ids are numbered per GitHub instance), found by a narrow lookup
 * across organizations (ids only, as for hook ids), and stored for each exactly as a
 * delivery to its own hook (deduplicated by delivery id, group-committed, applied in order by a
 * worker). A refusal writes nothing (no installation is known yet): it is logged and counted. A
 * delivery for an App installation no Mooring installation uses is acknowledged, logged and counted
 * as ignored (2xx: the delivery is authentic and was handled by deciding to drop it; a 4xx would
 * show it failed on the App's deliveries page, and a redelivery would change nothing). The App installation suspended or uninstalled
 * puts each of its installations in needs_reauth (the lifecycle's: no runs, live events dropped),
 * unsuspended makes them active again.
 */
@Injectable()
export class AppWebhookEdge {
  private readonly logger = new Logger('AppWebhookEdge');
  private readonly routes = new Map<string, { targets: Targets; until: number }>();
  private readonly deliveries: DeliveryGroupCommit;

  constructor(
    private readonly hooks: LiveEventRepository,
    private readonly integrations: IntegrationRegistry,
    private readonly queue: LiveEventQueue,
    private readonly lifecycle: InstallationLifecycle,
    private readonly credentials: CredentialStore,
    @Inject(LIVE_EVENTS_METRICS) private readonly metrics: LiveEventMetrics,
    @Inject(LIVE_EVENTS_PLATFORM_APPS) private readonly apps: PlatformApps,
  ) {
    this.deliveries = new DeliveryGroupCommit(hooks, (orgId, installationId) =>
      this.queue
        .add('apply', { orgId, installationId })
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`apply job not queued (a worker will find the delivery): ${error.message}`)),
    );
  }

  async receive(integrationId: string, delivery: WebhookDelivery): Promise<AppEdgeAnswer> {
    const live = this.integrations.find(integrationId)?.liveEvents;
    const app = this.apps[integrationId];
    if (!live?.appInstallationOf || !app) {
      throw new DomainError('NOT_FOUND', 'No App webhook is configured at this address', { resource: 'hook' });
    }
    const labels = { integration: integrationId };
    const verdict = live.verify(delivery, [app.webhookSecret]);
    if (!verdict.verified) {
      this.metrics.edge(labels, 'refused');
      this.logger.warn(
        `App webhook delivery ${unverifiedHeader(delivery, 'x-github-delivery') ?? '(no id)'} refused: ${verdict.reason}`,
      );
      throw new DomainError('WEBHOOK_REFUSED', refusalMessage(verdict.reason), { reason: verdict.reason });
    }
    // Headers are not signed (GitHub signs the body only): a delivery id or event name no tool sends is refused.
    if ((verdict.deliveryId?.length ?? 0) > MAX_HEADER_LENGTH || verdict.event.length > MAX_HEADER_LENGTH) {
      this.metrics.edge(labels, 'refused');
      throw new DomainError('WEBHOOK_REFUSED', 'The delivery id or event name is longer than any tool sends', {
        reason: 'malformed',
      });
    }
    let body: JsonValue;
    try {
      body = JSON.parse(delivery.rawBody.toString('utf8')) as JsonValue;
    } catch {
      this.metrics.edge(labels, 'refused');
      throw new DomainError('MALFORMED_JSON', 'The delivery is signed but its body is not JSON', { reason: 'malformed' });
    }
    const named = live.appInstallationOf({ headers: delivery.headers, body });
    const targets = named
      ? await this.route({ integrationId, apiBase: app.apiBase, appId: named.appId, externalId: named.installationId })
      : [];
    if (!targets.length) {
      const reason = named
        ? `no Mooring installation on ${app.apiBase} is connected to installation ${named.installationId} of App ${named.appId}`
        : 'the delivery names no App installation';
      this.metrics.edge(labels, 'ignored');
      this.logger.warn(`App webhook delivery ${verdict.deliveryId ?? '(no id)'} (${verdict.event}) ignored: ${reason}`);
      return { status: 200, body: { status: 'ignored', deliveryId: verdict.deliveryId, reason } };
    }
    const stored = { deliveryId: verdict.deliveryId, event: verdict.event, headers: keptHeaders(delivery.headers), body };
    const accepted = await Promise.all(
      targets.map(({ orgId, installationId }) =>
        this.deliveries.accept(orgId, installationId, stored).catch((error: unknown) => {
          // Deleted since the lookup (a foreign key refuses the row): nothing to store for it.
          if ((error as { code?: string }).code !== '23503') throw error;
          this.routes.clear();
          return false;
        }),
      ),
    );
    // The App installation suspended, uninstalled or unsuspended: the state of each installation that
    // accepted the delivery follows (a redelivered old one, a duplicate, changes nothing).
    const access = live.appAccessOf?.({ headers: delivery.headers, body });
    for (const [i, { orgId, installationId }] of targets.entries()) {
      if (!access || !accepted[i]) continue;
      if (access.access === 'restored') {
        await this.lifecycle.accessRestored(orgId, installationId);
        continue;
      }
      // The tool revoked the installation's tokens: a cached one must not outlive the withdrawal.
      await this.credentials.dropMinted(orgId, installationId);
      await this.lifecycle.accessWithdrawn(orgId, installationId, access.reason);
    }
    if (!accepted.some(Boolean)) {
      this.metrics.edge(labels, 'duplicate');
      return { status: 200, body: { status: 'duplicate', deliveryId: verdict.deliveryId } };
    }
    this.metrics.edge(labels, 'received');
    return { status: 202, body: { status: 'accepted', deliveryId: verdict.deliveryId } };
  }

  /** The installations authenticated as the App installation, from a few seconds' cache: a burst looks them up once. */
  private async route(app: { integrationId: string; apiBase: string; appId: string; externalId: string }): Promise<Targets> {
    const key = `${app.integrationId}:${app.apiBase}:${app.appId}:${app.externalId}`;
    const now = Date.now();
    const cached = this.routes.get(key);
    if (cached && cached.until > now) return cached.targets;
    if (this.routes.size > 10_000) this.routes.clear();
    const targets = await this.hooks.findAppInstallations(app);
    this.routes.set(key, { targets, until: now + ROUTE_CACHE_MS });
    return targets;
  }
}
