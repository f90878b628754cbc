import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  IntegrationRegistry,
  type DeliveryVerdict,
  type LiveEventsDefinition,
  type WebhookDelivery,
} from '@mooring/integrations';
import { InstallationRepository, LiveEventRepository, storableJsonText, type HookLookup } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';
import { LiveEventQueue } from '@mooring/queue';
import { DeliveryGroupCommit } from './delivery-group-commit.js';
import { HOOK_ID_PATTERN, HookSecrets, verificationSecrets } from './hook-secrets.js';
import { LIVE_EVENTS_METRICS, type LiveEventMetrics } from './live-event-metrics.js';
import { LIVE_EVENTS_OAUTH_CLIENTS, type OAuthClientSecrets } from './live-events.options.js';

/** What the edge answers a tool: 202 for a delivery accepted to apply, 200 for one it already had. */
export interface EdgeAnswer {
  readonly status: 200 | 202;
  readonly body: { readonly status: 'accepted' | 'duplicate'; readonly deliveryId: string | null };
}

const HOOK_CACHE_MS = 5_000;
const MAX_HEADER_LENGTH = 200;

/** Headers kept with an accepted delivery for the integration's `changes` (never a signature). */
const KEPT_HEADER =
  /^(x-github-event|x-github-delivery|x-github-hook-id|x-gitlab-event|x-gitlab-event-uuid|x-event-key|x-webhook-event|x-pagerduty-webhook-id|content-type|x-mooring-event)$/;

/**
 * `POST /v1/hooks/:hookId`, everything but the transport: find the hook, verify the delivery on
 * its raw bytes with the integration's `verify` (timing-safe, with the current secret and during a
 * rotation the previous one) before anything else, then persist it (deduplicated by the tool's
 * delivery id; a burst's deliveries share transactions, `DeliveryGroupCommit`) and queue its
 * installation's apply job before answering. Never maps: a worker does. A refusal is
 * logged and counted, and nothing of the delivery is kept.
 */
@Injectable()
export class LiveEventEdge {
  private readonly logger = new Logger('LiveEventEdge');
  private readonly cache = new Map<string, { hook: HookLookup | null; until: number }>();
  private readonly deliveries: DeliveryGroupCommit;

  constructor(
    private readonly hooks: LiveEventRepository,
    private readonly installations: InstallationRepository,
    private readonly secrets: HookSecrets,
    private readonly integrations: IntegrationRegistry,
    private readonly queue: LiveEventQueue,
    @Inject(LIVE_EVENTS_METRICS) private readonly metrics: LiveEventMetrics,
    @Inject(LIVE_EVENTS_OAUTH_CLIENTS) private readonly oauthClients: OAuthClientSecrets,
  ) {
    // Persisted first: if Redis does not take the job, workers find the deliveries waiting anyway.
    this.deliveries = new DeliveryGroupCommit(hooks, (orgId, installationId) =>
      this.queue
        .add('apply', { orgId, installationId })
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`apply job not queued (a worker will find the delivery): ${error.message}`)),
    );
  }

  async receive(hookId: string, delivery: WebhookDelivery): Promise<EdgeAnswer> {
    let hook = HOOK_ID_PATTERN.test(hookId) ? await this.lookup(hookId, false) : null;
    let live = hook && this.liveEventsOf(hook);
    if (!hook || !live) throw new DomainError('NOT_FOUND', 'No webhook is registered at this address', { resource: 'hook' });

    let verdict = await this.verify(hook, live, delivery);
    if (!verdict.verified) {
      // The hook may have changed since it was cached (a rotation, a new registration): read it again once.
      hook = await this.lookup(hookId, true);
      live = hook && this.liveEventsOf(hook);
      if (!hook || !live) throw new DomainError('NOT_FOUND', 'No webhook is registered at this address', { resource: 'hook' });
      verdict = await this.verify(hook, live, delivery);
    }
    if (!verdict.verified) {
      const deliveryId = unverifiedHeader(delivery, 'x-github-delivery');
      await this.refuse(hook, deliveryId, null, verdict.reason);
      throw new DomainError('WEBHOOK_REFUSED', refusalMessage(verdict.reason), { reason: verdict.reason });
    }
    // Headers are not signed (GitHub signs the body only): a delivery id or event name no tool sends is refused.
    if ((verdict.deliveryId?.length ?? 0) > MAX_HEADER_LENGTH || verdict.event.length > MAX_HEADER_LENGTH) {
      await this.refuse(hook, null, null, 'malformed');
      throw new DomainError('WEBHOOK_REFUSED', 'The delivery id or event name is longer than any tool sends', {
        reason: 'malformed',
      });
    }
    const text = delivery.rawBody.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      await this.refuse(hook, verdict.deliveryId, verdict.event, 'malformed');
      throw new DomainError('MALFORMED_JSON', 'The delivery is signed but its body is not JSON', { reason: 'malformed' });
    }
    const accepted = await this.deliveries
      .accept(hook.orgId, hook.installationId, {
        deliveryId: verdict.deliveryId,
        event: verdict.event,
        headers: keptHeaders(delivery.headers),
        body,
        // Stored as received: serialising the parsed body again would cost as much as parsing it.
        bodyJson: storableJsonText(text, body),
      })
      .catch((error: unknown) => this.goneOr(error));
    const labels = { integration: hook.integrationId };
    if (!accepted) {
      this.metrics.edge(labels, 'duplicate');
      return { status: 200, body: { status: 'duplicate', deliveryId: verdict.deliveryId } };
    }
    this.metrics.edge(labels, 'received');
    return { status: 202, body: { status: 'accepted', deliveryId: verdict.deliveryId } };
  }

  private async verify(hook: HookLookup, live: LiveEventsDefinition, delivery: WebhookDelivery): Promise<DeliveryVerdict> {
    // Integrations whose settings declare their verification (generic HTTP), or which sign OAuth
    // installations' deliveries with the OAuth client (Jira), read the installation; others never pay the query.
    const installation =
      this.integrations.find(hook.integrationId)?.kindsFor || live.signedWithOAuthClient
        ? await this.installations.find(hook.orgId, hook.installationId)
        : null;
    const declared = this.integrations.find(hook.integrationId)?.kindsFor ? installation?.settings : undefined;
    const secrets = await this.secrets.openCached(hook, delivery.receivedAt.getTime());
    if (live.signedWithOAuthClient && installation?.authMethod === 'oauth2') {
      // Only the client secret the installation connected with (the organization's own OAuth app,
      // else the platform's): the hook's own secret never signs these.
      const clientSecret = secrets.oauthClientSecret ?? this.oauthClients[hook.integrationId]?.clientSecret;
      return live.verify(delivery, clientSecret ? [clientSecret] : [], declared);
    }
    return live.verify(delivery, verificationSecrets(secrets, hook.previousUntil, delivery.receivedAt), declared);
  }

  /** The hook, from a few seconds' cache unless `fresh`: a burst of deliveries reads it once. */
  private async lookup(hookId: string, fresh: boolean): Promise<HookLookup | null> {
    const now = Date.now();
    const cached = this.cache.get(hookId);
    if (!fresh && cached && cached.until > now) return cached.hook;
    if (this.cache.size > 10_000) this.cache.clear();
    const hook = await this.hooks.findHook(hookId);
    this.cache.set(hookId, { hook, until: now + HOOK_CACHE_MS });
    return hook;
  }

  private liveEventsOf(hook: HookLookup): LiveEventsDefinition | null {
    return this.integrations.find(hook.integrationId)?.liveEvents ?? null;
  }

  private async refuse(hook: HookLookup, deliveryId: string | null, event: string | null, reason: string): Promise<void> {
    this.metrics.edge({ integration: hook.integrationId }, 'refused');
    await this.hooks
      .refuse(hook.orgId, hook.installationId, { deliveryId, event, reason })
      .catch((error: unknown) => this.goneOr(error));
    // Refusals are logged: a worker's job keeps the log bounded even when nothing is ever accepted.
    await this.queue
      .add('apply', { orgId: hook.orgId, installationId: hook.installationId }, { jobId: `refused-${hook.installationId}` })
      .catch(() => {});
  }

  /** The installation was deleted after its hook was cached (a foreign key refuses the row): a 404. */
  private goneOr(error: unknown): never {
    if ((error as { code?: string }).code !== '23503') throw error;
    this.cache.clear();
    throw new DomainError('NOT_FOUND', 'No webhook is registered at this address', { resource: 'hook' });
  }
}

export function keptHeaders(headers: WebhookDelivery['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && KEPT_HEADER.test(name)) kept[name] = value;
  return kept;
}

/** A header of a refused delivery, for the log only: bounded, printable. */
export function unverifiedHeader(delivery: WebhookDelivery, name: string): string | null {
  const value = delivery.headers[name];
  return value && /^[\x20-\x7e]{1,100}$/.test(value) ? value : null;
}

export function refusalMessage(reason: string): string {
  switch (reason) {
    case 'missing_signature':
      return 'The delivery carries no signature';
    case 'bad_signature':
      return 'The delivery’s signature does not match the installation’s webhook secret';
    case 'stale':
      return 'The delivery’s timestamp is too old (or too far in the future): refused as a possible replay';
    default:
      return 'The delivery could not be read';
  }
}
