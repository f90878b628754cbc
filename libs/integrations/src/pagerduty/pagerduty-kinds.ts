import { Readable } from 'node:stream';
import { DomainError } from '@mooring/platform';
import { z } from 'zod';
import type { IntegrationConnection, JsonObject, JsonValue, KindDefinition, Page } from '../integration-definition.js';
import { fanOut, flatten, rechunk, type ToolClient } from '../toolkit/index.js';
import { LIMIT, MAX_IN_FLIGHT, MAX_OFFSET, classicListing, isObject, listUrl, pagerdutyClient } from './pagerduty-client.js';

// The PagerDuty kinds: every listing is classic offset paging (limit 100, `more`), failing rather
// than ending short at PagerDuty's 10,000 ceiling. Incidents are read in time windows (PagerDuty
// serves at most 6 months per request and 10,000 per listing): a window holding more is halved
// until each half fits, so a large account's history is read whole. Items are PagerDuty's own
// objects; Mooring adds `__oncall` (a service's on-calls now, users included) and `__members` (a
// team's members).

const DAY_MS = 86_400_000;
/** Incidents are asked for in windows of at most this many days (PagerDuty's limit is 6 months). */
const WINDOW_DAYS = 30;
/** A window is never halved below this: more than 10,000 incidents in it cannot be read by offset. */
const MIN_WINDOW_MS = 60_000;

const selectors = {
  incident: z.strictObject({
    statuses: z
      .array(z.enum(['triggered', 'acknowledged', 'resolved']))
      .min(1)
      .default(['triggered', 'acknowledged', 'resolved']),
    /** Incidents created within this many days before the sync. */
    daysBack: z.number().int().min(1).max(730).default(30),
  }),
  team: z.strictObject({ members: z.boolean().default(true) }),
} satisfies Record<string, z.ZodType>;

type IncidentSelector = z.infer<(typeof selectors)['incident']>;

function simpleKind(
  title: string,
  path: string,
  itemsKey: string,
  query: Record<string, readonly string[]> = {},
): KindDefinition {
  return {
    title,
    selector: z.strictObject({}),
    extract(connection): AsyncIterable<Page> {
      const client = pagerdutyClient(connection);
      return client.pages(listUrl(client, path, query), classicListing(itemsKey));
    },
  };
}

/** Every on-call of the account now, with full users (for emails); `earliest` keeps one per policy, level and user. */
function oncallPages(client: ToolClient, policyIds?: readonly string[]): AsyncIterable<JsonObject[]> {
  return client.pages(
    listUrl(client, '/oncalls', {
      include: ['users'],
      ...(policyIds ? { escalation_policy_ids: policyIds } : {}),
      earliest: 'true',
    }),
    classicListing('oncalls'),
  );
}

const policyId = (item: JsonObject): string | undefined => {
  const policy = item['escalation_policy'];
  return isObject(policy) && typeof policy['id'] === 'string' ? policy['id'] : undefined;
};

/** Services with their escalation policy (its rules: the levels) and who is on call now at each level. */
async function* services(connection: IntegrationConnection): AsyncGenerator<JsonObject[]> {
  const client = pagerdutyClient(connection);
  // One listing of the account's on-calls, not one per service: the cost grows with on-calls.
  const byPolicy = new Map<string, JsonObject[]>();
  for await (const oncall of flatten(oncallPages(client))) {
    const id = policyId(oncall);
    if (id) byPolicy.set(id, [...(byPolicy.get(id) ?? []), oncall]);
  }
  const listing = listUrl(client, '/services', { include: ['escalation_policies'] });
  for await (const page of client.pages(listing, classicListing('services'))) {
    yield page.map((service) => withOncall(service, byPolicy.get(policyId(service) ?? '') ?? []));
  }
}

const withOncall = (service: JsonObject, oncalls: JsonObject[]): JsonObject => ({
  ...service,
  __oncall: [...oncalls].sort((a, b) => Number(a['escalation_level']) - Number(b['escalation_level'])),
});

/** One service as `services` yields it, or null when PagerDuty says it is gone. */
export async function fetchService(connection: IntegrationConnection, id: string): Promise<JsonObject | null> {
  const client = pagerdutyClient(connection);
  const answer = await client.get(listUrl(client, `/services/${encodeURIComponent(id)}`, { include: ['escalation_policies'] }));
  if (!answer) return null;
  const service = isObject(answer.body) ? answer.body['service'] : undefined;
  if (!isObject(service)) throw malformed(`/services/${id}`);
  const policy = policyId(service);
  const oncalls: JsonObject[] = [];
  if (policy) for await (const oncall of flatten(oncallPages(client, [policy]))) oncalls.push(oncall);
  return withOncall(service, oncalls);
}

/** One incident as `incidents` yields it, or null when PagerDuty says it is gone. */
export async function fetchIncident(connection: IntegrationConnection, id: string): Promise<JsonObject | null> {
  const client = pagerdutyClient(connection);
  const answer = await client.get(client.url(`/incidents/${encodeURIComponent(id)}`));
  if (!answer) return null;
  const incident = isObject(answer.body) ? answer.body['incident'] : undefined;
  if (!isObject(incident)) throw malformed(`/incidents/${id}`);
  return incident;
}

/** Incidents created in the selector's days, window by window, up to 4 windows at once. */
function incidents(connection: IntegrationConnection, options: IncidentSelector): AsyncIterable<JsonObject[]> {
  const client = pagerdutyClient(connection);
  const until = Date.now();
  const since = until - options.daysBack * DAY_MS;
  const windows: Array<[number, number]> = [];
  for (let start = since; start < until; start += WINDOW_DAYS * DAY_MS) {
    windows.push([start, Math.min(until, start + WINDOW_DAYS * DAY_MS)]);
  }
  const pages = fanOut(
    Readable.from(windows) as AsyncIterable<[number, number]>,
    ([from, to]) => incidentsIn(client, options, from, to),
    MAX_IN_FLIGHT,
  );
  return rechunk(pages, LIMIT);
}

/**
 * The incidents of one window. Its first page states the window's total (`total=true`): over
 * 10,000, offset paging cannot reach them all, so the window is halved and each half read instead.
 */
async function* incidentsIn(
  client: ToolClient,
  options: IncidentSelector,
  from: number,
  to: number,
): AsyncGenerator<JsonObject[]> {
  const url = listUrl(client, '/incidents', {
    since: new Date(from).toISOString(),
    until: new Date(to).toISOString(),
    statuses: options.statuses,
    total: 'true',
    sort_by: 'created_at:asc',
  });
  const listing = {
    ...classicListing('incidents'),
    total: (answer: { body: JsonValue }) => (isObject(answer.body) ? answer.body['total'] : undefined),
  };
  for await (const page of client.countedPages(url, listing)) {
    if (page.total !== undefined && page.total > MAX_OFFSET) {
      if (to - from <= MIN_WINDOW_MS) {
        throw new DomainError(
          'UPSTREAM_FAILED',
          `PagerDuty holds more than ${MAX_OFFSET} incidents created within a minute (${new Date(from).toISOString()}): offset paging cannot read them all`,
          { reason: 'listing_beyond_reach', maxOffset: MAX_OFFSET },
        );
      }
      const middle = from + Math.floor((to - from) / 2);
      const halves = Readable.from([
        [from, middle],
        [middle, to],
      ]) as AsyncIterable<[number, number]>;
      yield* fanOut(halves, ([start, end]) => incidentsIn(client, options, start, end), 2);
      return;
    }
    yield [...page.items];
  }
}

/** Teams, each with its members and their roles (`/teams/{id}/members`, 4 teams at once). */
async function* teams(connection: IntegrationConnection, members: boolean): AsyncGenerator<JsonObject[]> {
  const client = pagerdutyClient(connection);
  const pages = client.pages(client.url('/teams'), classicListing('teams'));
  if (!members) {
    yield* pages;
    return;
  }
  yield* rechunk(
    fanOut(
      flatten(pages),
      async function* (team: JsonObject) {
        const list: JsonObject[] = [];
        const path = `/teams/${encodeURIComponent(typeof team['id'] === 'string' ? team['id'] : '')}/members`;
        for await (const page of client.pages(client.url(path), classicListing('members'))) list.push(...page);
        yield [{ ...team, __members: list }];
      },
      MAX_IN_FLIGHT,
    ),
    LIMIT,
  );
}

function malformed(path: string): DomainError {
  return new DomainError('UPSTREAM_MALFORMED', `PagerDuty answered GET ${path} without the object it names`, { path });
}

export const pagerdutyKinds: Readonly<Record<string, KindDefinition>> = {
  service: {
    title: 'Services (with on-call now and escalation levels)',
    selector: z.strictObject({}),
    extract: (connection) => services(connection),
  },
  incident: {
    title: 'Incidents',
    selector: selectors.incident,
    extract: (connection, raw) => incidents(connection, selectors.incident.parse(raw)),
  },
  schedule: simpleKind('Schedules', '/schedules', 'schedules'),
  oncall: {
    title: 'On-calls now',
    selector: z.strictObject({}),
    extract: (connection) => oncallPages(pagerdutyClient(connection)),
  },
  'escalation-policy': simpleKind('Escalation policies', '/escalation_policies', 'escalation_policies'),
  user: simpleKind('Users', '/users', 'users'),
  team: {
    title: 'Teams (with members)',
    selector: selectors.team,
    extract: (connection, raw) => teams(connection, selectors.team.parse(raw).members),
  },
};
