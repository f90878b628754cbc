import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoopbackServer, sendJson, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';

// PagerDuty's REST API v2 on loopback, for the PagerDuty integration's tests and benchmark. Shapes,
// status codes and headers follow PagerDuty's published OpenAPI description (PagerDuty/api-schema)
// and developer docs: `Authorization: Token token=…` for REST API keys and `Bearer` for OAuth
// tokens (401 `{"error":{"message":"Authentication failed","code":2006}}` otherwise), classic offset
// paging (`limit` ≤ 100, `offset`, `more`, `total` only with `total=true`, 400 past offset+limit
// 10,000), incidents within a `since`/`until` window (the last month without one, at most 6
// months), 429 `{"error":{"code":2020}}` with `ratelimit-*` headers (reset in seconds), v3 webhook
// subscriptions whose signing secret is returned once, and deliveries signed
// `X-PagerDuty-Signature: v1=<hex HMAC-SHA256>`, several during a rotation.

type Json = Record<string, any>; // PagerDuty's objects
const ORIGIN = 'https://harbor.pagerduty.com';
const API = 'https://api.pagerduty.com';
const MAX_WINDOW_MS = 183 * 86_400_000;

export interface FakePagerdutyShape {
  readonly services: number;
  readonly incidents: number;
  readonly users: number;
  readonly teams: number;
  /** Incidents are spread evenly over this many days before now. */
  readonly incidentDays: number;
}

export const DEFAULT_PAGERDUTY_SHAPE: FakePagerdutyShape = { services: 12, incidents: 60, users: 30, teams: 3, incidentDays: 20 };

export interface FakePagerdutyOptions {
  readonly shape?: Partial<FakePagerdutyShape>;
  readonly latencyMs?: number;
}

export interface FakeSubscription {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  /** The current secret and, during a rotation, the older ones. */
  secrets: string[];
}

const ref = (type: string, id: string, summary: string, path: string) => ({
  id,
  type: `${type}_reference`,
  summary,
  self: `${API}/${path}/${id}`,
  html_url: `${ORIGIN}/${path === 'services' ? 'service-directory' : path}/${id}`,
});

export class FakePagerduty {
  readonly stats = { requests: 0, rateLimited: 0 };
  readonly services = new Map<string, Json>();
  readonly incidents = new Map<string, Json>();
  readonly users = new Map<string, Json>();
  readonly teams = new Map<string, Json>();
  readonly policies = new Map<string, Json>();
  readonly schedules = new Map<string, Json>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  private readonly apiKeys = new Set<string>();
  private readonly oauthTokens = new Set<string>();
  private rateLimitNext = 0;
  private nextId = 1;
  private sortedIncidents: { size: number; list: Array<{ ms: number; incident: Json }> } | undefined;

  private constructor(
    private readonly server: LoopbackServer,
    private readonly latencyMs: number,
  ) {}

  static async start(options: FakePagerdutyOptions = {}): Promise<FakePagerduty> {
    const started: { fake?: FakePagerduty } = {};
    const server = await LoopbackServer.start((request, response) => started.fake!.answer(request, response));
    const fake = (started.fake = new FakePagerduty(server, options.latencyMs ?? 0));
    fake.seed({ ...DEFAULT_PAGERDUTY_SHAPE, ...options.shape });
    return fake;
  }

  get apiUrl(): string {
    return this.server.origin;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  addApiKey(key: string): void {
    this.apiKeys.add(key);
  }

  addOAuthToken(token: string): void {
    this.oauthTokens.add(token);
  }

  /** Revokes a key or token: every later request with it answers 401. */
  revoke(token: string): void {
    this.apiKeys.delete(token);
    this.oauthTokens.delete(token);
  }

  /** The next `count` requests answer 429 as PagerDuty does (`ratelimit-remaining: 0`, reset now). */
  rateLimit(count: number): void {
    this.rateLimitNext = count;
  }

  /** Creates an incident on a service now, as a trigger would. */
  addIncident(serviceId: string, title: string): Json {
    const service = this.services.get(serviceId)!;
    const incident = this.incident(this.incidents.size + 1, service, new Date());
    incident['title'] = title;
    this.incidents.set(incident['id'], incident);
    return incident;
  }

  /** Sends a v3 webhook delivery for an event to every subscription following it, signed with its secrets. */
  async deliver(
    eventType: string,
    data: Json,
    options: { readonly signatures?: readonly string[]; readonly webhookId?: string } = {},
  ): Promise<Response[]> {
    const body = JSON.stringify({
      event: {
        id: `01${randomBytes(12).toString('hex').toUpperCase()}`,
        event_type: eventType,
        resource_type: eventType.split('.')[0],
        occurred_at: new Date().toISOString(),
        agent: null,
        client: null,
        data,
      },
    });
    const answers: Response[] = [];
    for (const subscription of this.subscriptions.values()) {
      if (!subscription.events.includes(eventType)) continue;
      answers.push(
        await fetch(subscription.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-webhook-id': options.webhookId ?? randomBytes(16).toString('hex'),
            'x-pagerduty-signature': (options.signatures ?? FakePagerduty.sign(body, subscription.secrets)).join(','),
          },
          body,
        }),
      );
    }
    return answers;
  }

  /** The `v1=` signatures PagerDuty sends: one per secret (several during a rotation). */
  static sign(body: string, secrets: readonly string[]): string[] {
    return secrets.map((secret) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`);
  }

  /** The webhook payload of an incident: PagerDuty's reduced shape (`number`, `assignees`, no `updated_at`). */
  webhookIncident(id: string): Json {
    const incident = this.incidents.get(id)!;
    return {
      id,
      type: 'incident',
      number: incident['incident_number'],
      title: incident['title'],
      status: incident['status'],
      urgency: incident['urgency'],
      created_at: incident['created_at'],
      self: incident['self'],
      html_url: incident['html_url'],
      service: incident['service'],
      assignees: incident['assignments'].map((a: Json) => a['assignee']),
      escalation_policy: incident['escalation_policy'],
      teams: incident['teams'],
      priority: null,
      conference_bridge: null,
      resolve_reason: null,
    };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private seed(shape: FakePagerdutyShape): void {
    for (let t = 1; t <= shape.teams; t++) {
      const id = `PTEAM${t}`;
      this.teams.set(id, {
        ...ref('team', id, `Team ${t}`, 'teams'),
        type: 'team',
        name: `Team ${t}`,
        description: `On-call team ${t}`,
        default_role: 'manager',
      });
    }
    const teamRefs = [...this.teams.values()].map((t) => ({ ...ref('team', t['id'], t['name'], 'teams') }));
    for (let u = 1; u <= shape.users; u++) {
      const id = `PUSR${u}`;
      const team = teamRefs[u % Math.max(1, teamRefs.length)];
      this.users.set(id, {
        ...ref('user', id, `User ${u}`, 'users'),
        type: 'user',
        name: `User ${u}`,
        email: `user${u}@harbor.example`,
        time_zone: 'Europe/Berlin',
        color: 'teal',
        role: u === 1 ? 'owner' : 'user',
        job_title: 'SRE',
        description: null,
        invitation_sent: false,
        created_via_sso: true,
        avatar_url: `https://secure.gravatar.com/avatar/${u}`,
        teams: team ? [team] : [],
      });
    }
    const userRef = (n: number) => {
      const user = this.users.get(`PUSR${((n - 1) % shape.users) + 1}`)!;
      return ref('user', user['id'], user['name'], 'users');
    };
    // One escalation policy and one schedule per team (at least one): level 1 the schedule, level 2 a user.
    const policyCount = Math.max(1, shape.teams);
    for (let p = 1; p <= policyCount; p++) {
      const scheduleId = `PSCH${p}`;
      const schedule = {
        ...ref('schedule', scheduleId, `Rotation ${p}`, 'schedules'),
        type: 'schedule',
        name: `Rotation ${p}`,
        description: 'Weekly rotation',
        time_zone: 'Europe/Berlin',
        users: [userRef(p), userRef(p + 1)],
        escalation_policies: [ref('escalation_policy', `PEPL${p}`, `Policy ${p}`, 'escalation_policies')],
        teams: teamRefs[p - 1] ? [teamRefs[p - 1]] : [],
      };
      this.schedules.set(scheduleId, schedule);
      this.policies.set(`PEPL${p}`, {
        ...ref('escalation_policy', `PEPL${p}`, `Policy ${p}`, 'escalation_policies'),
        type: 'escalation_policy',
        name: `Policy ${p}`,
        description: 'Page the rotation, then a lead',
        num_loops: 2,
        on_call_handoff_notifications: 'if_has_services',
        escalation_rules: [
          {
            id: `PRUL${p}A`,
            escalation_delay_in_minutes: 15,
            targets: [ref('schedule', scheduleId, schedule.name, 'schedules')],
          },
          { id: `PRUL${p}B`, escalation_delay_in_minutes: 30, targets: [userRef(p + 2)] },
        ],
        services: [],
        teams: teamRefs[p - 1] ? [teamRefs[p - 1]] : [],
      });
    }
    for (let s = 1; s <= shape.services; s++) {
      const id = `PSVC${s}`;
      const policy = this.policies.get(`PEPL${((s - 1) % policyCount) + 1}`)!;
      this.services.set(id, {
        ...ref('service', id, `Service ${s}`, 'services'),
        type: 'service',
        name: `Service ${s}`,
        description: `Service number ${s}`,
        status: 'active',
        created_at: '2024-02-01T10:00:00Z',
        last_incident_timestamp: null,
        auto_resolve_timeout: 14400,
        acknowledgement_timeout: 1800,
        alert_creation: 'create_alerts_and_incidents',
        escalation_policy: ref('escalation_policy', policy['id'], policy['name'], 'escalation_policies'),
        teams: policy['teams'],
        integrations: [],
        incident_urgency_rule: { type: 'constant', urgency: 'high' },
      });
      policy['services'].push(ref('service', id, `Service ${s}`, 'services'));
    }
    const now = Date.now();
    const span = shape.incidentDays * 86_400_000;
    const services = [...this.services.values()];
    for (let i = 1; i <= shape.incidents; i++) {
      const created = new Date(now - span + Math.floor(((i - 0.5) * span) / shape.incidents));
      const incident = this.incident(i, services[i % services.length]!, created);
      this.incidents.set(incident['id'], incident);
    }
  }

  private incident(n: number, service: Json, created: Date): Json {
    const id = `Q${String(this.nextId++).padStart(12, '0')}`;
    const status = n % 3 === 0 ? 'resolved' : n % 3 === 1 ? 'triggered' : 'acknowledged';
    const assignee = ref('user', `PUSR${(n % this.users.size) + 1}`, `User ${(n % this.users.size) + 1}`, 'users');
    return {
      ...ref('incident', id, `[#${n}] Incident ${n}`, 'incidents'),
      type: 'incident',
      incident_number: n,
      title: `Incident ${n}`,
      status,
      urgency: n % 2 ? 'high' : 'low',
      incident_key: `key-${n}`,
      created_at: created.toISOString(),
      updated_at: created.toISOString(),
      last_status_change_at: created.toISOString(),
      resolved_at: status === 'resolved' ? created.toISOString() : null,
      assigned_via: 'escalation_policy',
      service: ref('service', service['id'], service['name'], 'services'),
      assignments: status === 'resolved' ? [] : [{ at: created.toISOString(), assignee }],
      acknowledgements: [],
      escalation_policy: service['escalation_policy'],
      teams: service['teams'],
      priority: n % 5 === 0 ? { id: 'PPRI001', type: 'priority', summary: 'P1', name: 'P1' } : null,
      alert_counts: { triggered: 0, resolved: 0, all: 1 },
      is_mergeable: true,
      incident_type: { name: 'incident_default' },
    };
  }

  private oncalls(): Json[] {
    const oncalls: Json[] = [];
    const weekStart = new Date(Math.floor(Date.now() / (7 * 86_400_000)) * 7 * 86_400_000);
    const weekEnd = new Date(weekStart.getTime() + 7 * 86_400_000);
    for (const policy of this.policies.values()) {
      policy['escalation_rules'].forEach((rule: Json, index: number) => {
        const target = rule['targets'][0];
        const schedule = target['type'] === 'schedule_reference' ? this.schedules.get(target['id']) : undefined;
        const user = schedule ? schedule['users'][0] : target;
        oncalls.push({
          escalation_policy: ref('escalation_policy', policy['id'], policy['name'], 'escalation_policies'),
          escalation_level: index + 1,
          schedule: schedule ? ref('schedule', schedule['id'], schedule['name'], 'schedules') : null,
          user,
          start: schedule ? weekStart.toISOString() : null,
          end: schedule ? weekEnd.toISOString() : null,
        });
      });
    }
    return oncalls;
  }

  private async answer(request: RecordedRequest, response: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    if (this.latencyMs) await sleep(this.latencyMs);
    const error = (status: number, message: string, code: number, headers: Record<string, string> = {}) =>
      sendJson(response, status, { error: { message, code } }, headers);
    const authorization = String(request.headers['authorization'] ?? '');
    const apiKey = /^Token token=(.+)$/.exec(authorization)?.[1];
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (!((apiKey && this.apiKeys.has(apiKey)) || (bearer && this.oauthTokens.has(bearer)))) {
      return error(401, 'Authentication failed', 2006);
    }
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      this.stats.rateLimited++;
      return error(429, 'Rate Limit Exceeded', 2020, {
        'ratelimit-limit': '960',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '0',
      });
    }
    const url = new URL(request.url, this.apiUrl);
    const path = url.pathname;
    const method = request.method;
    let match: RegExpExecArray | null;

    if (method === 'POST' && path === '/webhook_subscriptions') {
      const body = JSON.parse(request.body || '{}') as Json;
      const given = body['webhook_subscription'];
      if (!given?.delivery_method?.url || !Array.isArray(given.events) || given.events.length === 0) {
        return error(400, 'Invalid Input Provided', 2001);
      }
      const id = `PWHS${this.subscriptions.size + 1}`;
      const secret = randomBytes(24).toString('base64url');
      this.subscriptions.set(id, { id, url: given.delivery_method.url, events: given.events, secrets: [secret] });
      return sendJson(response, 200, {
        webhook_subscription: {
          id,
          type: 'webhook_subscription',
          active: true,
          description: given.description ?? null,
          delivery_method: {
            id: `PDLM${this.subscriptions.size}`,
            type: 'http_delivery_method',
            url: given.delivery_method.url,
            secret,
            temporarily_disabled: false,
            custom_headers: [],
          },
          events: given.events,
          filter: given.filter ?? { type: 'account_reference' },
        },
      });
    }
    if (method === 'DELETE' && (match = /^\/webhook_subscriptions\/([^/]+)$/.exec(path))) {
      if (!this.subscriptions.delete(match[1]!)) return error(404, 'Not Found', 2100);
      response.writeHead(204).end();
      return;
    }
    if (method !== 'GET') return error(404, 'Not Found', 2100);

    if (path === '/abilities') return sendJson(response, 200, { abilities: ['teams', 'urgencies', 'read_only_users'] });
    if (path === '/users/me') {
      if (!bearer) return error(400, 'Invalid Input Provided: an account API key has no user', 2001);
      return sendJson(response, 200, { user: this.users.get('PUSR1') });
    }
    if ((match = /^\/incidents\/([^/]+)$/.exec(path))) {
      const incident = this.incidents.get(match[1]!);
      return incident ? sendJson(response, 200, { incident }) : error(404, 'Incident Not Found', 5001);
    }
    if ((match = /^\/services\/([^/]+)$/.exec(path))) {
      const service = this.services.get(match[1]!);
      if (!service) return error(404, 'Service Not Found', 5002);
      return sendJson(response, 200, { service: this.withIncludes(service, url) });
    }
    if ((match = /^\/teams\/([^/]+)\/members$/.exec(path))) {
      const team = match[1]!;
      if (!this.teams.has(team)) return error(404, 'Team Not Found', 6001);
      const members = [...this.users.values()]
        .filter((user) => user['teams'].some((t: Json) => t['id'] === team))
        .map((user) => ({ user: ref('user', user['id'], user['name'], 'users'), role: 'responder' }));
      return this.page(response, url, 'members', members);
    }
    switch (path) {
      case '/services':
        return this.page(
          response,
          url,
          'services',
          [...this.services.values()].map((s) => this.withIncludes(s, url)),
        );
      case '/teams':
        return this.page(response, url, 'teams', [...this.teams.values()]);
      case '/users':
        return this.page(response, url, 'users', [...this.users.values()]);
      case '/schedules':
        return this.page(response, url, 'schedules', [...this.schedules.values()]);
      case '/escalation_policies':
        return this.page(response, url, 'escalation_policies', [...this.policies.values()]);
      case '/oncalls': {
        const policies = url.searchParams.getAll('escalation_policy_ids[]');
        const users = url.searchParams.getAll('include[]').includes('users');
        const oncalls = this.oncalls()
          .filter((o) => !policies.length || policies.includes(o['escalation_policy']['id']))
          .map((o) => (users ? { ...o, user: this.users.get(o['user']['id']) } : o));
        return this.page(response, url, 'oncalls', oncalls);
      }
      case '/incidents': {
        const now = Date.now();
        const until = url.searchParams.has('until') ? Date.parse(url.searchParams.get('until')!) : now;
        const since = url.searchParams.has('since') ? Date.parse(url.searchParams.get('since')!) : until - 30 * 86_400_000;
        if (!Number.isFinite(since) || !Number.isFinite(until) || since > until) {
          return error(400, 'Invalid Input Provided: since and until', 2004);
        }
        if (until - since > MAX_WINDOW_MS) return error(400, 'Invalid Input Provided: the date range is over 6 months', 2004);
        const statuses = url.searchParams.getAll('statuses[]');
        const byTime = this.incidentsByTime();
        const incidents: Json[] = [];
        for (let i = firstAtOrAfter(byTime, since); i < byTime.length && byTime[i]!.ms < until; i++) {
          const incident = byTime[i]!.incident;
          if (!statuses.length || statuses.includes(incident['status'])) incidents.push(incident);
        }
        return this.page(response, url, 'incidents', incidents);
      }
      default:
        return error(404, 'Not Found', 2100);
    }
  }

  /** Incidents by creation time, kept while the set of incidents is unchanged (benchmarks list 50,000). */
  private incidentsByTime(): Array<{ ms: number; incident: Json }> {
    if (this.sortedIncidents?.size !== this.incidents.size) {
      const list = [...this.incidents.values()].map((incident) => ({ ms: Date.parse(incident['created_at']), incident }));
      this.sortedIncidents = { size: this.incidents.size, list: list.sort((a, b) => a.ms - b.ms) };
    }
    return this.sortedIncidents.list;
  }

  private withIncludes(service: Json, url: URL): Json {
    if (!url.searchParams.getAll('include[]').includes('escalation_policies')) return service;
    return { ...service, escalation_policy: this.policies.get(service['escalation_policy']['id']) };
  }

  private page(response: http.ServerResponse, url: URL, key: string, all: Json[]): void {
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
      return sendJson(response, 400, { error: { message: 'Invalid Input Provided', code: 2001, errors: ['limit or offset'] } });
    }
    if (offset + limit > 10_000) {
      return sendJson(response, 400, {
        error: { message: 'Invalid Input Provided', code: 2001, errors: ['Offset must be less than 10000.'] },
      });
    }
    sendJson(
      response,
      200,
      {
        [key]: all.slice(offset, offset + limit),
        limit,
        offset,
        more: offset + limit < all.length,
        total: url.searchParams.get('total') === 'true' ? all.length : null,
      },
      { 'ratelimit-limit': '960', 'ratelimit-remaining': '900', 'ratelimit-reset': '30' },
    );
  }
}

function firstAtOrAfter(list: ReadonlyArray<{ ms: number }>, ms: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle]!.ms < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}
