import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@mooring/platform';
import type {
  DeliveryVerdict,
  HookRegistration,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  LiveChange,
  LiveEventsDefinition,
  WebhookDelivery,
} from '../integration-definition.js';
import { hmacMatches } from '../toolkit/index.js';
import { idText, isObject, jiraSite, jiraWrite } from './jira-client.js';
import { fetchIssue, fetchProject, fetchRelease, fetchSprint } from './jira-kinds.js';

// Jira's two kinds of webhooks:
// - OAuth (3LO) installs register dynamic webhooks (`POST /rest/api/3/webhook`): issue events only,
//   expiring after 30 days unless refreshed (`renew`, which the runtime schedules before
//   `expiresAt`); deliveries carry `Authorization: Bearer <JWT>` signed HS256 with the OAuth app's
//   client secret (`signedWithOAuthClient`: the edge verifies them with it, not the hook's secret);
// - token installs register an admin webhook (`POST /rest/webhooks/1.0/webhook`, needs a Jira
//   administrator) with Mooring's per-installation secret: `X-Hub-Signature: sha256=<hex>`; it
//   follows projects, releases and sprints too and never expires.
// Search is eventually consistent, so every change is read again by id (`GET /issue/{id}` is read
// after write): an upsert whose issue cannot be read yet writes nothing (it never deletes), and a
// deletion stands only when the issue reads as gone.

export const DYNAMIC_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'] as const;
export const ADMIN_EVENTS = [
  ...DYNAMIC_EVENTS,
  'project_created',
  'project_updated',
  'project_deleted',
  'jira:version_created',
  'jira:version_released',
  'jira:version_unreleased',
  'jira:version_updated',
  'jira:version_deleted',
  'sprint_created',
  'sprint_started',
  'sprint_closed',
  'sprint_updated',
  'sprint_deleted',
] as const;
/** Dynamic webhooks need a JQL filter, from a small subset: this one matches every project. */
const EVERY_PROJECT_JQL = 'project != "MOORING-NO-SUCH-PROJECT"';

/** A JWT signed HS256 with one of `secrets`, unexpired at `at` (±60 s); claims are otherwise undocumented. */
function jwtMatches(token: string, secrets: readonly string[], at: Date): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, claims, signature] = parts as [string, string, string];
  let alg: unknown;
  let exp: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    exp = (JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  } catch {
    return false;
  }
  // Only HS256: a token naming another algorithm (or none) is never checked with it.
  if (alg !== 'HS256') return false;
  const presented = Buffer.from(signature, 'base64url');
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(`${header}.${claims}`).digest();
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) matched = true;
  }
  if (!matched) return false;
  return exp === undefined || (typeof exp === 'number' && exp * 1000 + 60_000 >= at.getTime());
}

function verify(delivery: WebhookDelivery, secrets: readonly string[]): DeliveryVerdict {
  const bearer = /^Bearer (.+)$/.exec(delivery.headers['authorization'] ?? '')?.[1];
  const hub = delivery.headers['x-hub-signature'];
  if (!bearer && !hub) return { verified: false, reason: 'missing_signature' };
  const ok = bearer
    ? jwtMatches(bearer, secrets, delivery.receivedAt)
    : hmacMatches({ algorithm: 'sha256', secrets, payload: delivery.rawBody, signatures: [hub!], prefix: 'sha256=' });
  if (!ok) return { verified: false, reason: 'bad_signature' };
  let body: JsonValue;
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8')) as JsonValue;
  } catch {
    return { verified: false, reason: 'malformed' };
  }
  if (!isObject(body) || typeof body['webhookEvent'] !== 'string') return { verified: false, reason: 'malformed' };
  return { verified: true, deliveryId: delivery.headers['x-atlassian-webhook-identifier'] ?? null, event: body['webhookEvent'] };
}

function changes(delivery: { readonly body: JsonValue }): readonly LiveChange[] {
  const body = delivery.body;
  if (!isObject(body) || typeof body['webhookEvent'] !== 'string') {
    throw new DomainError('UPSTREAM_MALFORMED', 'A Jira delivery without webhookEvent');
  }
  const event = body['webhookEvent'];
  const version = typeof body['timestamp'] === 'number' ? body['timestamp'] : undefined;
  const change = (kind: string, key: string, idField: string, action: 'upsert' | 'delete'): LiveChange[] => {
    const object = body[key];
    const id = isObject(object) ? object[idField] : undefined;
    if (!isObject(object) || (typeof id !== 'string' && typeof id !== 'number')) {
      throw new DomainError('UPSTREAM_MALFORMED', `A Jira ${event} delivery without ${key}.${idField}`);
    }
    // Deletions carry the payload's object to find the entity by (after fetchItem confirms it is gone).
    return [
      { kind, itemId: String(id), action, ...(action === 'delete' ? { item: object } : {}), ...(version ? { version } : {}) },
    ];
  };
  const deleted = event.endsWith('_deleted');
  if (event.startsWith('jira:issue_')) return change('issue', 'issue', 'id', deleted ? 'delete' : 'upsert');
  if (event.startsWith('project_')) return change('project', 'project', 'key', deleted ? 'delete' : 'upsert');
  if (event.startsWith('jira:version_')) return change('release', 'version', 'id', deleted ? 'delete' : 'upsert');
  if (event.startsWith('sprint_')) return change('sprint', 'sprint', 'id', deleted ? 'delete' : 'upsert');
  return [];
}

async function register(
  connection: IntegrationConnection,
  hook: { readonly url: string; readonly secret: string },
): Promise<HookRegistration> {
  const site = await jiraSite(connection);
  if (site.oauth) {
    const created = await jiraWrite(connection, 'POST', '/rest/api/3/webhook', {
      url: hook.url,
      webhooks: [{ events: [...DYNAMIC_EVENTS], jqlFilter: EVERY_PROJECT_JQL }],
    });
    const results = isObject(created.body) ? created.body['webhookRegistrationResult'] : undefined;
    const first = Array.isArray(results) && isObject(results[0]) ? results[0] : undefined;
    // Per-webhook errors come inside a 200.
    if (!first || typeof first['createdWebhookId'] !== 'number') {
      const errors =
        first && Array.isArray(first['errors'])
          ? first['errors'].filter((e) => typeof e === 'string').join('; ')
          : `status ${created.status}`;
      throw new DomainError('UPSTREAM_FAILED', `Jira did not register the webhook: ${errors}`, { status: created.status });
    }
    return renew(connection, { reference: { kind: 'dynamic', webhookId: first['createdWebhookId'] } });
  }
  const created = await jiraWrite(connection, 'POST', '/rest/webhooks/1.0/webhook', {
    name: 'Mooring live events',
    url: hook.url,
    events: [...ADMIN_EVENTS],
    filters: { 'issue-related-events-section': '' },
    excludeBody: false,
    secret: hook.secret,
  });
  const self = isObject(created.body) ? created.body['self'] : undefined;
  const id = typeof self === 'string' ? /\/webhook\/(\d+)$/.exec(self)?.[1] : undefined;
  if (!id) throw new DomainError('UPSTREAM_FAILED', `Jira did not register the admin webhook (status ${created.status})`);
  return { reference: { kind: 'admin', webhookId: Number(id) } };
}

/**
 * Extends a dynamic webhook by 30 days. Jira ignores unknown ids silently, so the webhook is then
 * looked up: one that expired or was deleted fails renewal (register again) rather than passing.
 */
async function renew(connection: IntegrationConnection, registration: HookRegistration): Promise<HookRegistration> {
  if (registration.reference['kind'] !== 'dynamic') return registration;
  const webhookId = registration.reference['webhookId'];
  const refreshed = await jiraWrite(connection, 'PUT', '/rest/api/3/webhook/refresh', { webhookIds: [webhookId ?? null] });
  const raw = isObject(refreshed.body) ? refreshed.body['expirationDate'] : undefined;
  const expiresAt = typeof raw === 'number' ? new Date(raw) : typeof raw === 'string' ? new Date(Number(raw) || raw) : undefined;
  if (refreshed.status !== 200 || !expiresAt || Number.isNaN(expiresAt.getTime())) {
    throw new DomainError('UPSTREAM_FAILED', `Jira did not refresh webhook ${idText(webhookId)} (status ${refreshed.status})`);
  }
  const listed = await jiraWrite(connection, 'GET', '/rest/api/3/webhook');
  const values = isObject(listed.body) && Array.isArray(listed.body['values']) ? listed.body['values'] : [];
  const mine = values.find((hook): hook is JsonObject => isObject(hook) && hook['id'] === webhookId);
  if (!mine) throw new DomainError('NOT_FOUND', `Jira no longer has webhook ${idText(webhookId)}: register it again`);
  return { ...registration, expiresAt };
}

async function unregister(connection: IntegrationConnection, registration: HookRegistration): Promise<void> {
  const { kind, webhookId } = registration.reference;
  if (typeof webhookId !== 'number') return;
  const answer =
    kind === 'dynamic'
      ? await jiraWrite(connection, 'DELETE', '/rest/api/3/webhook', { webhookIds: [webhookId] })
      : await jiraWrite(connection, 'DELETE', `/rest/webhooks/1.0/webhook/${webhookId}`);
  if (![200, 202, 204, 404].includes(answer.status)) {
    throw new DomainError('UPSTREAM_FAILED', `Jira answered ${answer.status} to deleting webhook ${webhookId}`);
  }
}

export const jiraLiveEvents: LiveEventsDefinition = {
  register,
  unregister,
  renew,
  verify,
  signedWithOAuthClient: true,
  changes,
  fetchItem: (connection, kind, itemId) => {
    if (kind === 'issue') return fetchIssue(connection, itemId);
    if (kind === 'project') return fetchProject(connection, itemId);
    if (kind === 'release') return fetchRelease(connection, itemId);
    if (kind === 'sprint') return fetchSprint(connection, itemId);
    throw new DomainError('VALIDATION_FAILED', `Jira live events know no kind "${kind}"`);
  },
};
