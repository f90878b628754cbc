import { DomainError } from '@mooring/platform';
import type {
  DeliveryVerdict,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  LiveChange,
  LiveEventsDefinition,
  WebhookDelivery,
} from '../integration-definition.js';
import { genericItemClient } from './generic-http-client.js';
import { hmacMatches, isFresh, tokenMatches } from '../toolkit/index.js';
import { parseGenericSettings, valueAt, type GenericLiveEvents } from './generic-http-settings.js';

// Live events declared in the installation's settings (`liveEvents`), like Port's webhook data
// source's security block, plus what it lacks: a timestamp header with a tolerance, the two
// secrets of a rotation (the edge passes both), a request id from a header or the body. An
// installation without a `liveEvents` declaration refuses every delivery. Deliveries are not
// registered at the tool: the user points the tool's webhook at the installation's hook URL.

export const genericLiveEvents: LiveEventsDefinition = {
  verify(delivery, secrets, settings) {
    const declared = settings ? liveEventsOf(settings) : undefined;
    if (!declared) return { verified: false, reason: 'missing_signature' };
    return verifyDelivery(declared, delivery, secrets);
  },
  changes(delivery, settings) {
    const declared = settings ? liveEventsOf(settings) : undefined;
    return declared ? changesOf(declared, delivery.body) : [];
  },
  // Upserts carry the item whole. A deletion stands only if the tool proves the item gone: its
  // kind's `itemPath` answers 404 or 410. A kind without one cannot prove it, so the deletion
  // fails and nothing is deleted; the next resync removes the item if the tool no longer lists it.
  fetchItem: (connection, kind, itemId) => fetchItem(connection, kind, itemId),
};

/** The item as the tool has it now, null when the tool answers it is gone (404, 410). */
export async function fetchItem(connection: IntegrationConnection, kindName: string, itemId: string): Promise<JsonObject | null> {
  const settings = parseGenericSettings(connection.settings);
  const kind = settings.kinds.find((candidate) => candidate.name === kindName);
  if (!kind) throw new DomainError('NOT_FOUND', `No kind "${kindName}" is declared`, { resource: 'kind', id: kindName });
  if (!kind.itemPath) {
    throw new DomainError(
      'UPSTREAM_INCOMPLETE',
      `cannot confirm the deletion with the tool: kind ${kind.name} declares no itemPath; the next resync removes the item if the tool no longer lists it`,
      { reason: 'no_item_path', kind: kind.name },
    );
  }
  const client = genericItemClient(connection, settings, kind);
  const path = kind.itemPath.replaceAll('{id}', encodeURIComponent(itemId));
  const answer = await client.get(client.url(path));
  if (!answer) return null;
  const item = valueAt(answer.body, kind.itemKey ?? '');
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new DomainError(
      'UPSTREAM_MALFORMED',
      `The answer to ${path} holds no item object${kind.itemKey ? ` at "${kind.itemKey}"` : ''}`,
      { status: answer.status, reason: 'not_an_item', path },
    );
  }
  return item as JsonObject;
}

function liveEventsOf(settings: Readonly<Record<string, string>>): GenericLiveEvents | undefined {
  try {
    return parseGenericSettings(settings).liveEvents;
  } catch {
    return undefined;
  }
}

export function verifyDelivery(
  declared: GenericLiveEvents,
  delivery: WebhookDelivery,
  secrets: readonly string[],
): DeliveryVerdict {
  const signature = delivery.headers[declared.signatureHeader];
  if (!signature) return { verified: false, reason: 'missing_signature' };
  const matches =
    declared.algorithm === 'plain'
      ? declared.prefix === '' || signature.startsWith(declared.prefix)
        ? tokenMatches(secrets, signature.slice(declared.prefix.length))
        : false
      : hmacMatches({
          algorithm: declared.algorithm,
          secrets,
          payload: delivery.rawBody,
          // Several signatures may come comma-separated (PagerDuty during its own rotations).
          signatures: signature.split(','),
          prefix: declared.prefix,
        });
  if (!matches) return { verified: false, reason: 'bad_signature' };
  let body: JsonValue;
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8')) as JsonValue;
  } catch {
    return { verified: false, reason: 'malformed' };
  }
  if (declared.timestampHeader) {
    const sent = sentAt(delivery.headers[declared.timestampHeader]);
    if (!sent || !isFresh(sent, delivery.receivedAt, declared.toleranceSeconds)) return { verified: false, reason: 'stale' };
  }
  const id = declared.requestIdHeader
    ? delivery.headers[declared.requestIdHeader]
    : declared.requestIdPath
      ? valueAt(body, declared.requestIdPath)
      : undefined;
  const event = declared.eventPath ? valueAt(body, declared.eventPath) : undefined;
  return {
    verified: true,
    deliveryId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
    event: typeof event === 'string' ? event : declared.kind,
  };
}

/** Seconds or milliseconds since the epoch, or an ISO time. */
function sentAt(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    return new Date(number < 1e12 ? number * 1000 : number);
  }
  const parsed = new Date(trimmed);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** One change per delivery; a body without the item or its id throws (the delivery is recorded as unreadable). */
export function changesOf(declared: GenericLiveEvents, body: JsonValue): LiveChange[] {
  const item = valueAt(body, declared.itemPath);
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new Error(`The delivery holds no item${declared.itemPath ? ` at "${declared.itemPath}"` : ''}`);
  }
  const id = valueAt(body, declared.idPath);
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`The delivery holds no id at "${declared.idPath}"`);
  const deleted = declared.deletedWhen !== undefined && valueAt(body, declared.deletedWhen.path) === declared.deletedWhen.equals;
  // A deletion carries the item too: its entities are found through the mapping, as an upsert's are.
  return [{ kind: declared.kind, itemId: String(id), action: deleted ? 'delete' : 'upsert', item: item as JsonObject }];
}
