import { DomainError } from '@mooring/platform';
import type {
  DeliveryVerdict,
  HookRegistration,
  JsonValue,
  LiveChange,
  LiveEventsDefinition,
} from '../integration-definition.js';
import { hmacMatches } from '../toolkit/index.js';
import { isObject, pagerdutyWrite } from './pagerduty-client.js';
import { fetchIncident, fetchService } from './pagerduty-kinds.js';

// PagerDuty's v3 webhooks: a subscription created at install for the account's incident and
// service events. PagerDuty generates the signing secret and returns it once, in the creation's
// answer: it is kept (sealed, as HookRegistration.secret) and every delivery is verified against it
// (`X-PagerDuty-Signature`, one or more `v1=<hex HMAC-SHA256 of the raw body>`, several during a
// rotation). Payloads are partial (the webhook incident has `number`, `assignees`, no
// `updated_at`), so each change is read again by id and mapped as a resync would write it.

export const INCIDENT_EVENTS = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.reassigned',
  'incident.escalated',
  'incident.delegated',
  'incident.priority_updated',
  'incident.service_updated',
] as const;
export const SERVICE_EVENTS = ['service.created', 'service.updated', 'service.deleted'] as const;

function verify(
  delivery: { rawBody: Buffer; headers: Readonly<Record<string, string | undefined>> },
  secrets: readonly string[],
): DeliveryVerdict {
  const header = delivery.headers['x-pagerduty-signature'];
  if (!header) return { verified: false, reason: 'missing_signature' };
  const signatures = header.split(',');
  if (!hmacMatches({ algorithm: 'sha256', secrets, payload: delivery.rawBody, signatures, prefix: 'v1=' })) {
    return { verified: false, reason: 'bad_signature' };
  }
  let event: JsonValue | undefined;
  try {
    const body = JSON.parse(delivery.rawBody.toString('utf8')) as JsonValue;
    event = isObject(body) ? body['event'] : undefined;
  } catch {
    return { verified: false, reason: 'malformed' };
  }
  if (!isObject(event) || typeof event['event_type'] !== 'string') return { verified: false, reason: 'malformed' };
  // No timestamp is signed: replays are caught by the id, repeated on PagerDuty's retries.
  return { verified: true, deliveryId: delivery.headers['x-webhook-id'] ?? null, event: event['event_type'] };
}

function changes(delivery: { readonly body: JsonValue }): readonly LiveChange[] {
  const event = isObject(delivery.body) ? delivery.body['event'] : undefined;
  if (!isObject(event) || typeof event['event_type'] !== 'string') {
    throw new DomainError('UPSTREAM_MALFORMED', 'A PagerDuty delivery without an event (event.event_type)');
  }
  const type = event['event_type'];
  const data = event['data'];
  const id = isObject(data) && typeof data['id'] === 'string' ? data['id'] : undefined;
  const version = typeof event['occurred_at'] === 'string' ? event['occurred_at'] : undefined;
  const change = (kind: string, action: 'upsert' | 'delete'): LiveChange[] => {
    if (!id || !isObject(data)) throw new DomainError('UPSTREAM_MALFORMED', `A PagerDuty ${type} delivery without data.id`);
    // A deletion carries the payload's service (its id is all the mapping's identifier needs), to
    // find the entity by once `fetchItem` confirms PagerDuty no longer has it. Upserts carry
    // nothing: webhook payloads are partial, the worker reads the item whole.
    return [{ kind, itemId: id, action, ...(action === 'delete' ? { item: data } : {}), ...(version ? { version } : {}) }];
  };
  if ((INCIDENT_EVENTS as readonly string[]).includes(type)) return change('incident', 'upsert');
  if (type === 'service.deleted') return change('service', 'delete');
  if ((SERVICE_EVENTS as readonly string[]).includes(type)) return change('service', 'upsert');
  return [];
}

async function register(
  connection: Parameters<NonNullable<LiveEventsDefinition['register']>>[0],
  hook: { readonly url: string },
): Promise<HookRegistration> {
  const created = await pagerdutyWrite(connection, 'POST', '/webhook_subscriptions', {
    webhook_subscription: {
      type: 'webhook_subscription',
      delivery_method: { type: 'http_delivery_method', url: hook.url, custom_headers: [] },
      description: 'Mooring live events',
      events: [...INCIDENT_EVENTS, ...SERVICE_EVENTS],
      filter: { type: 'account_reference' },
      active: true,
    },
  });
  const subscription = isObject(created.body) ? created.body['webhook_subscription'] : undefined;
  const method = isObject(subscription) ? subscription['delivery_method'] : undefined;
  if (created.status !== 200 && created.status !== 201) {
    throw new DomainError('UPSTREAM_FAILED', `PagerDuty answered ${created.status} to creating the webhook subscription`, {
      status: created.status,
    });
  }
  if (
    !isObject(subscription) ||
    typeof subscription['id'] !== 'string' ||
    !isObject(method) ||
    typeof method['secret'] !== 'string' ||
    !method['secret']
  ) {
    throw new DomainError('UPSTREAM_MALFORMED', 'PagerDuty created the webhook subscription without its id or signing secret');
  }
  return { reference: { subscriptionId: subscription['id'] }, secret: method['secret'] };
}

async function unregister(
  connection: Parameters<NonNullable<LiveEventsDefinition['unregister']>>[0],
  registration: HookRegistration,
): Promise<void> {
  const id = registration.reference['subscriptionId'];
  if (typeof id !== 'string') return;
  const answer = await pagerdutyWrite(connection, 'DELETE', `/webhook_subscriptions/${encodeURIComponent(id)}`);
  if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) {
    throw new DomainError('UPSTREAM_FAILED', `PagerDuty answered ${answer.status} to deleting webhook subscription ${id}`, {
      status: answer.status,
    });
  }
}

export const pagerdutyLiveEvents: LiveEventsDefinition = {
  register,
  unregister,
  verify,
  changes,
  fetchItem: (connection, kind, itemId) => {
    if (kind === 'incident') return fetchIncident(connection, itemId);
    if (kind === 'service') return fetchService(connection, itemId);
    throw new DomainError('VALIDATION_FAILED', `PagerDuty live events know no kind "${kind}"`);
  },
};
