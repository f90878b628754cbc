import { createHash, createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LoopbackServer, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';
import { FakeGithubApps } from './fake-github-apps.js';

// GitHub's REST API on loopback, as GitHub Enterprise Server serves it (under /api/v3), for the
// GitHub integration's tests and benchmark. Bodies come from recorded or published GitHub data:
// @octokit/fixtures (recorded exchanges: headers, the organization, a user) and the examples of
// GitHub's OpenAPI description (../fixtures/openapi-examples.json), with
// names, ids and dates varied per generated item. Behaviour follows GitHub's documentation:
// `per_page` (30 by default, at most 100) and `page` with a `Link` header (repository listings link
// by `/repositories/:id`, as GitHub does), weak ETags and 304 answers that do not count against
// the rate limit, `x-ratelimit-*` headers, 403 once the quota is spent, injectable secondary rate
// limits, and revocable tokens. Organization webhooks (`POST /orgs/:org/hooks`, which needs
// admin:org_hook) receive deliveries signed like GitHub's (`X-Hub-Signature-256` over the raw body,
// `X-GitHub-Delivery`), and items can be changed or removed as someone at GitHub would.

// The repository's root, from the source or the compiled copy of this file.
const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('fake-github: repository root not found');
    dir = parent;
  }
  return dir;
})();
const OCTOKIT = path.join(repoRoot, 'node_modules/@octokit/fixtures/scenarios/api.github.com');
const OPENAPI = path.join(repoRoot, 'libs/integrations/src/github/fixtures/openapi-examples.json');

interface Fixture {
  readonly path: string;
  readonly status: number;
  readonly response: Record<string, unknown>;
  readonly headers: Record<string, string | number>;
}

function fixture(scenario: string, predicate: (entry: Fixture) => boolean): Fixture {
  const entries = JSON.parse(fs.readFileSync(path.join(OCTOKIT, scenario, 'normalized-fixture.json'), 'utf8')) as Fixture[];
  const found = entries.find(predicate);
  if (!found) throw new Error(`no fixture in ${scenario}`);
  return found;
}

type Json = any; // GitHub's objects, as recorded
const EXAMPLES = (JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) as { routes: Record<string, { example: Json }> }).routes;
const example = (route: string): Json => {
  const value = EXAMPLES[route]?.example;
  if (value === undefined) throw new Error(`no OpenAPI example for ${route}`);
  return Array.isArray(value) ? value[0] : value;
};

const ORGANIZATION = fixture('get-organization', (entry) => entry.path.startsWith('/orgs/'));
// A user object as GitHub embeds it (release author), extended below to GET /user's documented shape.
const USER = fixture('release-assets', (entry) => typeof entry.response['author'] === 'object').response['author'] as Record<
  string,
  unknown
>;
// Headers GitHub sends with every REST answer (media type, request id, security headers).
const BASE_HEADERS = Object.fromEntries(
  Object.entries(ORGANIZATION.headers)
    .filter(
      ([name]) =>
        !['content-length', 'connection', 'etag', 'last-modified', 'date', 'x-oauth-scopes'].includes(name) &&
        !name.startsWith('x-ratelimit-'),
    )
    .map(([name, value]) => [name, String(value)]),
);

const DEFAULT_BRANCH = 'main';

const TEMPLATES = {
  repository: example('/orgs/{org}/repos'),
  pull: example('/repos/{owner}/{repo}/pulls'),
  issue: example('/repos/{owner}/{repo}/issues'),
  workflow: EXAMPLES['/repos/{owner}/{repo}/actions/workflows']!.example.workflows[0],
  run: EXAMPLES['/repos/{owner}/{repo}/actions/runs']!.example.workflow_runs[0],
  release: example('/repos/{owner}/{repo}/releases'),
  deployment: example('/repos/{owner}/{repo}/deployments'),
  member: example('/orgs/{org}/members'),
  team: example('/orgs/{org}/teams'),
  orgSimple: example('/user/orgs'),
};

/** How much data each organization has; every count is per repository unless it says otherwise. */
export interface FakeGithubShape {
  readonly repositories: number;
  readonly pulls: number;
  readonly issues: number;
  readonly workflows: number;
  readonly runs: number;
  readonly releases: number;
  readonly deployments: number;
  /** Members of the organization. */
  readonly members: number;
  /** Teams of the organization; member i belongs to team i mod teams. */
  readonly teams: number;
  // The per-repository kinds of github-repository-kinds.ts and github-security-kinds.ts.
  readonly branches: number;
  readonly tags: number;
  readonly environments: number;
  /** Statuses of each deployment. */
  readonly deploymentStatuses: number;
  /** Collaborators: the organization's first members. */
  readonly collaborators: number;
  readonly dependabotAlerts: number;
  readonly codeScanningAlerts: number;
}

/** Every alert state, for reading one alert whatever its state. */
const ALL_ALERT_STATES = 'auto_dismissed,dismissed,fixed,open';

export const DEFAULT_SHAPE: FakeGithubShape = {
  repositories: 3,
  pulls: 2,
  issues: 2,
  workflows: 1,
  runs: 2,
  releases: 1,
  deployments: 1,
  members: 3,
  teams: 2,
  branches: 2,
  tags: 1,
  environments: 1,
  deploymentStatuses: 2,
  collaborators: 2,
  dependabotAlerts: 1,
  codeScanningAlerts: 1,
};

export interface FakeGithubToken {
  readonly login: string;
  /** `X-OAuth-Scopes` of a classic token or OAuth app; null for a fine-grained token (no header). */
  readonly scopes: string | null;
  readonly organizations: readonly string[];
  /** A GitHub App installation token: the installation it reads (`/installation/repositories`), until when (epoch ms). */
  readonly installation?: { readonly id: number; readonly account: string; readonly expiresAt: number };
}

export interface FakeGithubHook {
  readonly id: number;
  readonly organization: string;
  readonly url: string;
  readonly secret: string;
  readonly events: readonly string[];
}

export interface FakeGithubOptions {
  readonly shape?: Partial<FakeGithubShape>;
  /** Primary rate limit per token and window. */
  readonly rateLimit?: number;
  /** Length of a rate-limit window. */
  readonly windowSeconds?: number;
  /** Delay before each answer, to make concurrency observable. */
  readonly latencyMs?: number;
  /** Keep every request in `requests` (off for benchmarks). */
  readonly recordRequests?: boolean;
}

export interface FakeGithubStats {
  requests: number;
  notModified: number;
  rateLimited: number;
  /** Most requests being answered at once. */
  maxInFlight: number;
}

interface Quota {
  remaining: number;
  resetAt: number; // epoch seconds
}

interface SecondaryLimit {
  afterRequests: number;
  count: number;
  status: 403 | 429;
  retryAfterSeconds: number;
}

interface Listing {
  readonly items: readonly Json[];
  /** The path GitHub puts in `Link` (repository listings use `/repositories/:id/...`). */
  readonly linkPath: string;
  /** Wraps a page in an object (`{total_count, workflows}`) instead of sending the array. */
  readonly key?: string;
  /** Pages by `after=<cursor>` in the `Link` header instead of `page` (Dependabot alerts). */
  readonly cursor?: boolean;
  /** No `Link` header at all (environments): the client reads pages until one is short. */
  readonly unlinked?: boolean;
  /** More members of the wrapping object (`repository_selection`). */
  readonly extra?: Readonly<Record<string, Json>>;
}

/** A refusal a route answers instead of a body (a feature switched off, an empty repository). */
class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly documentation: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

const DAY_MS = 86_400_000;

/**
 * GitHub's REST API as Mooring's GitHub integration uses it, on loopback, under `/api/v3` as
 * GitHub Enterprise Server serves it.
 */
/** A transient failure `FakeGithub.failRequests` answers with. */
export type TransientFailure = 500 | 502 | 503 | 504 | 429 | 'drop';

export class FakeGithub {
  readonly stats: FakeGithubStats = { requests: 0, notModified: 0, rateLimited: 0, maxInFlight: 0 };
  /** GitHub Apps, their installations and the installation tokens they mint (fake-github-apps.ts). */
  readonly apps = new FakeGithubApps(
    (token, grant) => this.addToken(token, grant),
    (token) => this.revokeToken(token),
  );
  private readonly tokens = new Map<string, FakeGithubToken>();
  private readonly revoked = new Set<string>();
  private readonly quotas = new Map<string, Quota>();
  private readonly changed = new Map<string, number>();
  private secondary: SecondaryLimit | undefined;
  /** Changes made to generated items (by id), and items removed: every answer shows them. */
  private readonly patches = new Map<number, Json>();
  private readonly removed = new Set<number>();
  private readonly hooks = new Map<number, FakeGithubHook>();
  /** Repositories whose own endpoints answer 403 (SSO not granted, an IP allow list, a missing permission). */
  private readonly refused = new Map<string, { message: string; headers: Record<string, string> }>();
  private readonly failures = new Map<string, Array<TransientFailure>>();
  private nextHookId = 512_340_000;
  private inFlight = 0;
  private shape: FakeGithubShape;
  /** Dates of generated items hang off this day, so bodies (and ETags) stay the same run to run. */
  private readonly epoch = Math.floor(Date.now() / DAY_MS) * DAY_MS;

  private constructor(
    readonly server: LoopbackServer,
    private readonly options: FakeGithubOptions,
  ) {
    this.shape = { ...DEFAULT_SHAPE, ...options.shape };
  }

  static async start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
    const server = await LoopbackServer.start((request, response) => github.handle(request, response));
    const github = new FakeGithub(server, options);
    return github;
  }

  /** The value of an installation's `host` setting for this server (GitHub Enterprise Server). */
  get host(): string {
    return this.server.origin;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  addToken(token: string, grant: FakeGithubToken): string {
    this.tokens.set(token, grant);
    return token;
  }

  /** The token's owner revoked it: every later request with it gets 401. */
  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  /** After `afterRequests` more requests, the next `count` get a secondary rate limit answer. */
  injectSecondaryLimit(limit: { afterRequests: number; count?: number; status?: 403 | 429; retryAfterSeconds?: number }): void {
    this.secondary = {
      afterRequests: this.stats.requests + limit.afterRequests,
      count: limit.count ?? 1,
      status: limit.status ?? 403,
      retryAfterSeconds: limit.retryAfterSeconds ?? 1,
    };
  }

  /** What `quota` takes for an App installation's quota (shared by every token minted for it). */
  static installationQuota(installationId: number): string {
    return `installation:${installationId}`;
  }

  /** The token's (or, keyed by `installationQuota`, an App installation's) primary quota as GitHub would report it. */
  quota(token: string): Quota {
    const now = Math.floor(Date.now() / 1000);
    let quota = this.quotas.get(token);
    if (!quota || quota.resetAt <= now) {
      quota = { remaining: this.limit, resetAt: now + (this.options.windowSeconds ?? 3600) };
      this.quotas.set(token, quota);
    }
    return quota;
  }

  setShape(shape: Partial<FakeGithubShape>): void {
    this.shape = { ...this.shape, ...shape };
  }

  /** Something about a repository changed (its description): its listing pages get new ETags. */
  changeRepository(org: string, index: number): void {
    const key = `${org}/repo-${index}`;
    this.changed.set(key, (this.changed.get(key) ?? 0) + 1);
  }

  /**
   * The next GETs of `route` (e.g. `/repos/org/repo-1/issues/3`) fail, one answer each: a 5xx as
   * GitHub's load balancer sends it, 429 as a secondary rate limit (Retry-After 1 s), or `drop` (the
   * connection closed without an answer). An empty list ends them.
   */
  failRequests(route: string, answers: readonly TransientFailure[]): void {
    this.failures.set(route, [...answers]);
  }

  /** How many of `failRequests`' answers for `route` are still to be given. */
  pendingFailures(route: string): number {
    return this.failures.get(route)?.length ?? 0;
  }

  /** Every request under the repository (`org/name`) answers 403 with `message` (and `headers`), as GitHub does for SSO or an IP allow list. */
  refuseRepository(fullName: string, refusal: { message: string; headers?: Record<string, string> }): void {
    this.refused.set(fullName, { message: refusal.message, headers: refusal.headers ?? {} });
  }

  /** Someone changed an item at GitHub (by its `id`): listings and single reads show `fields` from now on. */
  patchItem(id: number, fields: Record<string, unknown>): void {
    this.patches.set(id, { ...(this.patches.get(id) ?? {}), ...fields });
  }

  /** The item is gone at GitHub (404 when read, absent from listings) until restored. */
  removeItem(id: number): void {
    this.removed.add(id);
  }

  restoreItem(id: number): void {
    this.removed.delete(id);
  }

  /** The organization webhooks created through the API. */
  get webhooks(): readonly FakeGithubHook[] {
    return [...this.hooks.values()];
  }

  /**
   * Delivers an event to every organization webhook of `org` subscribed to it, as GitHub does:
   * JSON body, `X-GitHub-Event`, `X-GitHub-Delivery` (a GUID; pass one to redeliver),
   * `X-GitHub-Hook-ID`, and `X-Hub-Signature-256` = `sha256=` + HMAC-SHA256(secret, body). A
   * `secret` overrides the hook's (a forgery); `signed: false` leaves the signature out.
   */
  async deliver(
    org: string,
    event: string,
    payload: unknown,
    options: { deliveryId?: string; secret?: string; signed?: boolean; body?: string } = {},
  ): Promise<Array<{ status: number; body: string; deliveryId: string }>> {
    const answers: Array<{ status: number; body: string; deliveryId: string }> = [];
    for (const hook of this.hooks.values()) {
      if (hook.organization !== org || !hook.events.includes(event)) continue;
      const deliveryId = options.deliveryId ?? randomUUID();
      const body = options.body ?? JSON.stringify(payload);
      const secret = options.secret ?? hook.secret;
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/5e1f2a9',
          'x-github-event': event,
          'x-github-delivery': deliveryId,
          'x-github-hook-id': String(hook.id),
          'x-github-hook-installation-target-type': 'organization',
          'x-github-hook-installation-target-id': String(1000 + this.orgIndex(org)),
          ...(options.signed === false
            ? {}
            : {
                'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
                'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
              }),
        },
        body,
      });
      answers.push({ status: response.status, body: await response.text(), deliveryId });
    }
    return answers;
  }

  /** An item as GitHub answers it now (with changes made by `patchItem`), for building event payloads. */
  async read(token: string, path: string): Promise<Json> {
    const response = await fetch(`${this.host}/api/v3${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  }

  clearRequests(): void {
    this.server.requests.length = 0;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private get limit(): number {
    return this.options.rateLimit ?? 5000;
  }

  private async handle(request: RecordedRequest, response: http.ServerResponse): Promise<void> {
    if (this.options.recordRequests === false) this.server.requests.pop();
    this.stats.requests++;
    this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    try {
      if (this.options.latencyMs) await sleep(this.options.latencyMs);
      this.answer(request, response);
    } finally {
      this.inFlight--;
    }
  }

  private answer(request: RecordedRequest, response: http.ServerResponse): void {
    const url = new URL(request.url, this.server.origin);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = status === 304 || status === 204 ? '' : JSON.stringify(body);
      response.writeHead(status, {
        ...BASE_HEADERS,
        ...(status === 304 || status === 204
          ? {}
          : { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }),
        date: new Date().toUTCString(),
        ...headers,
      });
      response.end(text);
    };
    const notFound = (documentation = 'https://docs.github.com/rest') =>
      send(404, { message: 'Not Found', documentation_url: documentation, status: '404' });

    // The web side: an App's install page (fake-github-apps.ts).
    const page = this.apps.installPage(request.method, url);
    if (page) {
      response.writeHead(page.status, { ...(page.location ? { location: page.location } : {}), 'content-type': 'text/html' });
      response.end(page.status === 200 ? '<p>Choose where to install the App.</p>' : '');
      return;
    }
    // GitHub Enterprise Server answers its REST API under /api/v3 only.
    if (!url.pathname.startsWith('/api/v3/')) return notFound();
    const route = url.pathname.slice('/api/v3'.length);
    const match = /^Bearer (\S+)$|^token (\S+)$/.exec(String(request.headers.authorization ?? ''));
    const token = match ? (match[1] ?? match[2]!) : '';
    const appAnswer = this.apps.answer(request.method, route, token);
    if (appAnswer) return send(appAnswer.status, appAnswer.body);
    const known = this.revoked.has(token) ? undefined : this.tokens.get(token);
    // An installation token expires an hour after it was minted (or as `apps.tokenLifetimeSeconds` says).
    const grant = known?.installation && known.installation.expiresAt <= Date.now() ? undefined : known;
    if (!grant) {
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }

    if (request.method !== 'GET') return this.write(request, route, grant, send);
    // GitHub counts an App installation's quota per installation, whichever of its tokens is used.
    const quota = this.quota(grant.installation ? FakeGithub.installationQuota(grant.installation.id) : token);
    const repositoryPath = /^\/repos\/([^/]+\/[^/]+)/.exec(route)?.[1];
    const refusal = repositoryPath && this.refused.get(decodeURIComponent(repositoryPath));
    if (refusal) {
      quota.remaining--;
      return send(
        403,
        {
          message: refusal.message,
          documentation_url: 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
          status: '403',
        },
        {
          'x-ratelimit-limit': String(this.limit),
          'x-ratelimit-remaining': String(quota.remaining),
          'x-ratelimit-reset': String(quota.resetAt),
          ...refusal.headers,
        },
      );
    }
    const failure = this.failures.get(route)?.shift();
    if (failure === 'drop') {
      response.socket?.destroy();
      return;
    }
    if (failure === 429) {
      return send(
        429,
        {
          message: 'You have exceeded a secondary rate limit.',
          documentation_url: 'https://docs.github.com/rest',
          status: '429',
        },
        { 'retry-after': '1' },
      );
    }
    if (failure) return send(failure, { message: 'Server Error' });
    const rateHeaders = () => ({
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-reset': String(quota.resetAt),
      'x-ratelimit-used': String(this.limit - quota.remaining),
      'x-ratelimit-resource': 'core',
      ...(grant.scopes === null ? {} : { 'x-oauth-scopes': grant.scopes }),
    });

    if (this.secondary && this.stats.requests > this.secondary.afterRequests && this.secondary.count > 0) {
      this.secondary.count--;
      this.stats.rateLimited++;
      return send(
        this.secondary.status,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:00000:0000000:0000000:00000000.',
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(this.secondary.status),
        },
        { ...rateHeaders(), 'retry-after': String(this.secondary.retryAfterSeconds) },
      );
    }
    if (quota.remaining <= 0) {
      this.stats.rateLimited++;
      return send(
        403,
        {
          message: `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:00000:0000000:0000000:00000000.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit',
          status: '403',
        },
        rateHeaders(),
      );
    }

    const routed = this.route(route, url.searchParams, grant);
    if (routed instanceof Refusal) {
      quota.remaining--;
      const body = { message: routed.message, documentation_url: routed.documentation, status: String(routed.status) };
      return send(routed.status, body, { ...rateHeaders(), ...routed.headers });
    }
    if (routed === 204) {
      quota.remaining--;
      return send(204, null, rateHeaders());
    }
    const body = this.current(routed);
    if (body === undefined) {
      quota.remaining--;
      return notFound();
    }
    let payload: unknown = body;
    const headers: Record<string, string> = {};
    if (isListing(body)) {
      const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), 100);
      const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
      const start = body.cursor ? cursorStart(url.searchParams.get('after')) : (page - 1) * perPage;
      const items = body.items.slice(start, start + perPage);
      payload = body.key ? { total_count: body.items.length, [body.key]: items, ...body.extra } : items;
      const link = body.unlinked
        ? undefined
        : body.cursor
          ? this.cursorLink(body, url, start, perPage)
          : this.link(body, url, page, perPage);
      if (link) headers['link'] = link;
    }
    const text = JSON.stringify(payload);
    const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`;
    headers['etag'] = etag;
    headers['cache-control'] = 'private, max-age=60, s-maxage=60';
    headers['vary'] = 'Accept, Authorization, Cookie, X-GitHub-OTP';
    // A conditional request answered 304 does not count against the primary rate limit.
    if (request.headers['if-none-match'] === etag) {
      this.stats.notModified++;
      return send(304, null, { ...rateHeaders(), ...headers });
    }
    quota.remaining--;
    send(200, payload, { ...rateHeaders(), ...headers, 'x-accepted-oauth-scopes': route === '/user' ? '' : 'repo' });
  }

  /** What `route` found, with changed items changed and removed ones gone (undefined: a 404). */
  private current(body: Json): Json {
    if (body === undefined) return undefined;
    const changed = (item: Json) =>
      typeof item?.id === 'number' && this.patches.has(item.id) ? { ...item, ...this.patches.get(item.id) } : item;
    if (isListing(body)) return { ...body, items: body.items.filter((item) => !this.removed.has(item.id)).map(changed) };
    if (typeof body?.id === 'number' && this.removed.has(body.id)) return undefined;
    return changed(body);
  }

  /** Creating and deleting organization webhooks (an owner's token with admin:org_hook). */
  private write(
    request: RecordedRequest,
    route: string,
    grant: FakeGithubToken,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const hooks = /^\/orgs\/([^/]+)\/hooks(?:\/(\d+))?$/.exec(route);
    const org = hooks ? decodeURIComponent(hooks[1]!) : '';
    // GitHub answers 404 when the token may not manage the organization's hooks.
    const allowed = grant.scopes === null || grant.scopes.split(',').some((scope) => scope.trim() === 'admin:org_hook');
    if (!hooks || !grant.organizations.includes(org) || !allowed) {
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/orgs/webhooks', status: '404' });
    }
    if (request.method === 'DELETE' && hooks[2]) {
      const existed = this.hooks.delete(Number(hooks[2]));
      return existed ? send(204, null) : send(404, { message: 'Not Found', status: '404' });
    }
    if (request.method !== 'POST' || hooks[2]) return send(404, { message: 'Not Found', status: '404' });
    const input = JSON.parse(request.body || '{}') as {
      name?: string;
      events?: string[];
      config?: { url?: string; secret?: string };
    };
    if (input.name !== 'web' || !input.config?.url) {
      return send(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'Hook', code: 'custom', message: 'Config must contain url' }],
      });
    }
    const id = this.nextHookId++;
    const hook = {
      id,
      organization: org,
      url: input.config.url,
      secret: input.config.secret ?? '',
      events: input.events ?? ['push'],
    };
    this.hooks.set(id, hook);
    const api = `https://api.github.com/orgs/${org}/hooks/${id}`;
    send(
      201,
      {
        type: 'Organization',
        id,
        name: 'web',
        active: true,
        events: hook.events,
        config: { url: hook.url, content_type: 'json', insecure_ssl: '0', ...(hook.secret ? { secret: '********' } : {}) },
        updated_at: new Date().toISOString(),
        created_at: new Date().toISOString(),
        url: api,
        ping_url: `${api}/pings`,
        deliveries_url: `${api}/deliveries`,
      },
      { location: api },
    );
  }

  private link(listing: Listing, url: URL, page: number, perPage: number): string | undefined {
    const last = Math.max(1, Math.ceil(listing.items.length / perPage));
    if (last === 1) return undefined;
    const at = (n: number) => {
      const target = new URL(`${this.server.origin}/api/v3${listing.linkPath}`);
      for (const [name, value] of url.searchParams) if (name !== 'page') target.searchParams.set(name, value);
      target.searchParams.set('page', String(n));
      return `<${target.toString()}>`;
    };
    const parts: string[] = [];
    if (page > 1) parts.push(`${at(page - 1)}; rel="prev"`);
    if (page < last) parts.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (page > 1) parts.push(`${at(1)}; rel="first"`);
    return parts.join(', ');
  }

  /** A body, a listing to paginate, or undefined for a 404. */
  private route(route: string, query: URLSearchParams, grant: FakeGithubToken): Json {
    if (route === '/installation/repositories') {
      // Only an installation token reads it: all of its account's repositories, or the ones selected.
      if (!grant.installation) return undefined;
      const selected = this.apps.selectedRepositories(grant.installation.id);
      const items = this.repositories(grant.installation.account, 'all').filter((_, i) => !selected || selected.includes(i));
      const extra = { repository_selection: selected ? 'selected' : 'all' };
      return { linkPath: route, key: 'repositories', extra, items } satisfies Listing;
    }
    if (grant.installation && (route === '/user' || route.startsWith('/user/'))) return undefined;
    if (route === '/user') return userBody(grant.login);
    if (route === '/user/orgs') {
      return { linkPath: route, items: grant.organizations.map((org, i) => this.orgSimple(org, i)) } satisfies Listing;
    }
    if (route === '/user/repos') {
      const items = grant.organizations.flatMap((org) => this.repositories(org, query.get('type') ?? 'all'));
      return { linkPath: route, items } satisfies Listing;
    }
    const orgRoute = /^\/orgs\/([^/]+)(\/.*)?$/.exec(route);
    if (orgRoute) {
      const org = decodeURIComponent(orgRoute[1]!);
      if (!grant.organizations.includes(org)) return undefined;
      const rest = orgRoute[2] ?? '';
      if (rest === '') return { ...ORGANIZATION.response, login: org, url: `https://api.github.com/orgs/${org}` };
      if (rest === '/repos') {
        const items = this.repositories(org, query.get('type') ?? 'all').filter((repo) => this.grants(grant, repo.id % 100_000));
        return { linkPath: route, items } satisfies Listing;
      }
      if (rest === '/members') return { linkPath: route, items: this.members(org) } satisfies Listing;
      if (rest === '/teams') return { linkPath: route, items: this.teams(org) } satisfies Listing;
      const oneTeam = /^\/teams\/([^/]+)$/.exec(rest);
      if (oneTeam) return this.teams(org).find((t) => t.slug === decodeURIComponent(oneTeam[1]!));
      const member = /^\/members\/([^/]+)$/.exec(rest);
      if (member) {
        const found = this.members(org).find((m) => m.login === decodeURIComponent(member[1]!));
        return found && !this.removed.has(found.id) ? 204 : undefined;
      }
      const team = /^\/teams\/([^/]+)\/members$/.exec(rest);
      if (team) {
        const index = this.teams(org).findIndex((t) => t.slug === decodeURIComponent(team[1]!));
        if (index < 0) return undefined;
        const members = this.members(org).filter((_, i) => i % this.shape.teams === index);
        return { linkPath: route, items: members } satisfies Listing;
      }
      return undefined;
    }
    const user = /^\/users\/([^/]+)$/.exec(route);
    if (user) {
      const login = decodeURIComponent(user[1]!);
      const member = grant.organizations.flatMap((org) => this.members(org)).find((m) => m.login === login);
      return member && { ...userBody(login), id: member.id, url: member.url, html_url: member.html_url };
    }
    // /repos/:owner/:repo/... and /repositories/:id/... (what GitHub's Link headers use)
    const byName = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(route);
    const byId = /^\/repositories\/(\d+)(\/.*)$/.exec(route);
    const located = byName
      ? this.locate(decodeURIComponent(byName[1]!), decodeURIComponent(byName[2]!), grant)
      : byId
        ? this.locateById(Number(byId[1]), grant)
        : undefined;
    if (!located) return undefined;
    const rest = (byName ? byName[3] : byId![2]) ?? '';
    if (rest === '') return this.repository(located.org, located.index);
    const single = /^(\/pulls|\/issues|\/releases|\/deployments|\/actions\/runs)\/(\d+)$/.exec(rest);
    if (single) {
      const listing = this.repositoryListing(located.org, located.index, single[1]!, new URLSearchParams({ state: 'all' }));
      const key = Number(single[2]);
      const byNumber = single[1] === '/pulls' || single[1] === '/issues';
      return listing?.items.find((item) => (byNumber ? item.number === key : item.id === key));
    }
    return (
      this.repositoryListing(located.org, located.index, rest, query) ??
      this.moreRepositoryListing(located.org, located.index, rest, query)
    );
  }

  private locate(owner: string, name: string, grant: FakeGithubToken): { org: string; index: number } | undefined {
    const index = /^repo-(\d+)$/.exec(name)?.[1];
    if (!grant.organizations.includes(owner) || index === undefined || Number(index) >= this.shape.repositories) return undefined;
    if (!this.grants(grant, Number(index))) return undefined;
    return { org: owner, index: Number(index) };
  }

  private locateById(id: number, grant: FakeGithubToken): { org: string; index: number } | undefined {
    const orgIndex = Math.floor(id / 100_000) - 1;
    const org = grant.organizations[orgIndex];
    const index = id % 100_000;
    return org !== undefined && index < this.shape.repositories && this.grants(grant, index) ? { org, index } : undefined;
  }

  /** Whether the token reads the repository: an App installation only reads the repositories selected for it. */
  private grants(grant: FakeGithubToken, index: number): boolean {
    const selected = grant.installation && this.apps.selectedRepositories(grant.installation.id);
    return !selected || selected.includes(index);
  }

  private repositoryListing(org: string, index: number, rest: string, query: URLSearchParams): Listing | undefined {
    const linkPath = `/repositories/${this.repositoryId(org, index)}${rest}`;
    const state = query.get('state') ?? 'open';
    switch (rest) {
      case '/pulls': {
        let pulls = this.pulls(org, index).filter((pr) => state === 'all' || pr.state === state);
        if (query.get('sort') === 'updated') pulls = pulls.sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
        return { linkPath, items: pulls };
      }
      case '/issues': {
        // GitHub lists pull requests among issues (with a `pull_request` key).
        const issues = [...this.issues(org, index), ...this.pulls(org, index).map((pr) => this.pullAsIssue(pr))];
        return { linkPath, items: issues.filter((issue) => state === 'all' || issue.state === state) };
      }
      case '/actions/workflows':
        return { linkPath, key: 'workflows', items: this.workflows(org, index) };
      case '/actions/runs':
        return { linkPath, key: 'workflow_runs', items: this.runs(org, index) };
      case '/releases':
        return { linkPath, items: this.releases(org, index) };
      case '/deployments': {
        const environment = query.get('environment');
        return { linkPath, items: this.deployments(org, index).filter((d) => !environment || d.environment === environment) };
      }
      default:
        return undefined;
    }
  }

  // Generated data: GitHub's published examples with names, ids and dates varied per item.

  private orgIndex(org: string): number {
    for (const grant of this.tokens.values()) {
      const index = grant.organizations.indexOf(org);
      if (index >= 0) return index;
    }
    return 0;
  }

  private repositoryId(org: string, index: number): number {
    return (this.orgIndex(org) + 1) * 100_000 + index;
  }

  private date(daysAgo: number): string {
    return new Date(this.epoch - daysAgo * DAY_MS).toISOString().replace('.000', '');
  }

  private login(org: string, i: number): string {
    return `${org}-user-${i}`;
  }

  private orgSimple(org: string, i: number): Json {
    return { ...TEMPLATES.orgSimple, login: org, id: 1000 + i, url: `https://api.github.com/orgs/${org}` };
  }

  private repositories(org: string, type: string): Json[] {
    const all = Array.from({ length: this.shape.repositories }, (_, i) => this.repository(org, i));
    return all.filter((repo) =>
      type === 'forks'
        ? repo.fork
        : type === 'sources'
          ? !repo.fork
          : type === 'public' || type === 'private'
            ? repo.visibility === type
            : true,
    );
  }

  private repository(org: string, i: number): Json {
    const fullName = `${org}/repo-${i}`;
    const repo = renamed(TEMPLATES.repository, fullName);
    const revision = this.changed.get(fullName) ?? 0;
    return {
      ...repo,
      id: this.repositoryId(org, i),
      name: `repo-${i}`,
      full_name: fullName,
      owner: { ...repo.owner, login: org, type: 'Organization' },
      description: `Repository ${i}${revision ? ` (revision ${revision})` : ''}`,
      fork: i % 10 === 9,
      private: i % 4 === 3,
      visibility: i % 4 === 3 ? 'private' : 'public',
      language: ['TypeScript', 'Go', 'Python'][i % 3],
      topics: ['catalog', `team-${i % Math.max(1, this.shape.teams)}`],
      pushed_at: this.date(i % 30),
      // GitHub's default for new repositories, and a branch the branches listing has (the examples say master).
      default_branch: DEFAULT_BRANCH,
    };
  }

  private members(org: string): Json[] {
    return Array.from({ length: this.shape.members }, (_, i) => ({
      ...TEMPLATES.member,
      login: this.login(org, i),
      id: (this.orgIndex(org) + 1) * 10_000 + i,
      url: `https://api.github.com/users/${this.login(org, i)}`,
      html_url: `https://github.com/${this.login(org, i)}`,
    }));
  }

  private teams(org: string): Json[] {
    return Array.from({ length: this.shape.teams }, (_, t) => ({
      ...TEMPLATES.team,
      id: (this.orgIndex(org) + 1) * 1000 + t,
      name: `Team ${t}`,
      slug: `team-${t}`,
      description: `Team number ${t}`,
      html_url: `https://github.com/orgs/${org}/teams/team-${t}`,
      url: `https://api.github.com/organizations/${this.orgIndex(org) + 1}/team/${t}`,
    }));
  }

  private itemId(org: string, repo: number, kind: number, n: number): number {
    return ((this.orgIndex(org) + 1) * 10 + kind) * 100_000_000 + repo * 1000 + n;
  }

  private pulls(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.pulls }, (_, n) => {
      const pr = renamed(TEMPLATES.pull, fullName);
      const closed = n % 2 === 1;
      const author = this.login(org, n % Math.max(1, this.shape.members));
      return {
        ...pr,
        id: this.itemId(org, repo, 1, n),
        number: n + 1,
        state: closed ? 'closed' : 'open',
        title: `Change ${n + 1} of ${fullName}`,
        user: { ...pr.user, login: author },
        assignees: [{ ...pr.user, login: author }],
        requested_reviewers: [],
        html_url: `https://github.com/${fullName}/pull/${n + 1}`,
        head: { ...pr.head, ref: `feature-${n + 1}`, repo: { ...pr.head.repo, default_branch: DEFAULT_BRANCH } },
        base: { ...pr.base, ref: DEFAULT_BRANCH, repo: { ...pr.base.repo, default_branch: DEFAULT_BRANCH } },
        created_at: this.date(n + 3),
        updated_at: this.date(n + 1),
        closed_at: closed ? this.date(n + 1) : null,
        merged_at: closed ? this.date(n + 1) : null,
      };
    });
  }

  private pullAsIssue(pr: Json): Json {
    return {
      ...TEMPLATES.issue,
      id: pr.id,
      number: pr.number,
      title: pr.title,
      state: pr.state,
      pull_request: TEMPLATES.issue.pull_request,
    };
  }

  private issues(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.issues }, (_, n) => {
      const { pull_request: _pullRequest, ...issue } = renamed(TEMPLATES.issue, fullName);
      const number = this.shape.pulls + n + 1;
      return {
        ...issue,
        id: this.itemId(org, repo, 2, n),
        number,
        title: `Issue ${number} of ${fullName}`,
        html_url: `https://github.com/${fullName}/issues/${number}`,
        state: 'open',
        closed_at: null,
        created_at: this.date(n + 5),
        updated_at: this.date(n + 2),
      };
    });
  }

  private workflows(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.workflows }, (_, n) => ({
      ...renamed(TEMPLATES.workflow, fullName),
      id: this.itemId(org, repo, 3, n),
      name: `CI ${n}`,
      path: `.github/workflows/ci-${n}.yml`,
    }));
  }

  private runs(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    const workflows = this.workflows(org, repo);
    return Array.from({ length: workflows.length ? this.shape.runs : 0 }, (_, n) => {
      const workflow = workflows[n % workflows.length];
      const run = renamed(TEMPLATES.run, fullName);
      return {
        ...run,
        id: this.itemId(org, repo, 4, n),
        name: workflow.name,
        display_title: `${workflow.name} #${n + 1}`,
        workflow_id: workflow.id,
        path: workflow.path,
        run_number: n + 1,
        head_branch: DEFAULT_BRANCH,
        status: 'completed',
        conclusion: n % 3 === 2 ? 'failure' : 'success',
        created_at: this.date(n),
        updated_at: this.date(n),
        run_started_at: this.date(n),
        repository: { ...run.repository, id: this.repositoryId(org, repo), name: `repo-${repo}`, full_name: fullName },
      };
    });
  }

  private releases(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.releases }, (_, n) => {
      const release = renamed(TEMPLATES.release, fullName);
      return {
        ...release,
        id: this.itemId(org, repo, 5, n),
        tag_name: `v1.${n}.0`,
        target_commitish: DEFAULT_BRANCH,
        name: `Release 1.${n}.0`,
        author: { ...release.author, login: this.login(org, 0) },
        created_at: this.date(n * 7 + 1),
        published_at: this.date(n * 7 + 1),
      };
    });
  }

  private deployments(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.deployments }, (_, n) => {
      const deployment = renamed(TEMPLATES.deployment, fullName);
      return {
        ...deployment,
        id: this.itemId(org, repo, 6, n),
        environment: n % 2 === 0 ? 'production' : 'staging',
        production_environment: n % 2 === 0,
        creator: { ...deployment.creator, login: this.login(org, 0) },
        created_at: this.date(n),
        updated_at: this.date(n),
      };
    });
  }

  // ---- Per-repository kinds: branches, tags, environments, deployment statuses, collaborators,
  // Dependabot and code scanning alerts, file contents (github-repository-kinds.ts and
  // github-security-kinds.ts). Shapes after GitHub's OpenAPI description (short-branch, tag,
  // environment, deployment-status, collaborator, dependabot-alert, code-scanning-alert-items,
  // content-file); bodies are our own.

  /** Repositories (`org/name`) with a security feature switched off, or whose token may not read it. */
  private readonly features = new Map<string, 'disabled' | 'forbidden'>();
  /** Repositories created without a commit. */
  private readonly empty = new Set<string>();
  /** File contents set by tests (`org/name:path`); null removes a generated file. */
  private readonly files = new Map<string, string | null>();
  /** Branches, tags, collaborators, alerts and deployment statuses changed by tests (`org/name listing key`); null: gone. */
  private readonly repositoryItems = new Map<string, Json>();

  /**
   * A security feature of the repository (`org/name`): `disabled` answers 403 with GitHub's
   * "switched off" message; `forbidden` answers 403 "Resource not accessible by integration" with
   * `X-Accepted-GitHub-Permissions`, as for a token without the permission.
   */
  setFeature(fullName: string, feature: 'dependabot' | 'code-scanning', state: 'disabled' | 'forbidden' | 'enabled'): void {
    const key = `${feature}:${fullName}`;
    if (state === 'enabled') this.features.delete(key);
    else this.features.set(key, state);
  }

  /** The repository has no commit: no branch or tag, and its contents answer 404 "This repository is empty.". */
  emptyRepository(fullName: string): void {
    this.empty.add(fullName);
  }

  /** The file at `path` in the repository now holds `content` (null: it is gone). */
  setFile(fullName: string, path: string, content: string | null): void {
    this.files.set(`${fullName}:${path}`, content);
  }

  /**
   * Someone changed a branch, tag or collaborator (by name or login), an alert (by number) or a
   * deployment status (by id) of the repository at GitHub: `fields` over the item from now on, the
   * whole new item when there was none, or null: it is gone. `listing` is the listing's path
   * (`/branches`, `/tags`, `/collaborators`, `/dependabot/alerts`, `/code-scanning/alerts`,
   * `/deployments/<id>/statuses`).
   */
  setRepositoryItem(fullName: string, listing: string, key: string | number, fields: Record<string, unknown> | null): void {
    const id = `${fullName} ${listing} ${key}`;
    this.repositoryItems.set(id, fields && { ...(this.repositoryItems.get(id) ?? {}), ...fields });
  }

  /** A repository listing's items with the changes `setRepositoryItem` made. */
  private edited(fullName: string, listing: string, items: Json[]): Json[] {
    const keyOf = (item: Json) => String(listing === '/collaborators' ? item.login : (item.name ?? item.number ?? item.id));
    const prefix = `${fullName} ${listing} `;
    const seen = new Set(items.map(keyOf));
    const changed = items
      .map((item) => {
        const id = prefix + keyOf(item);
        if (!this.repositoryItems.has(id)) return item;
        const fields = this.repositoryItems.get(id);
        return fields === null ? undefined : { ...item, ...fields };
      })
      .filter((item) => item !== undefined);
    const added = [...this.repositoryItems]
      .filter(([id, fields]) => id.startsWith(prefix) && fields !== null && !seen.has(id.slice(prefix.length)))
      .map(([, fields]) => fields);
    return [...changed, ...added];
  }

  private moreRepositoryListing(org: string, index: number, rest: string, query: URLSearchParams): Json {
    const fullName = `${org}/repo-${index}`;
    const linkPath = `/repositories/${this.repositoryId(org, index)}${rest}`;
    const empty = this.empty.has(fullName);
    const single = /^\/(branches|dependabot\/alerts|code-scanning\/alerts)\/(.+)$/.exec(rest);
    if (single) {
      // One branch (its name may hold `/`) or alert: the listing's item, as GitHub reads it alone.
      const listing = this.moreRepositoryListing(org, index, `/${single[1]}`, new URLSearchParams({ state: ALL_ALERT_STATES }));
      if (listing instanceof Refusal) return listing;
      const key = single[2]!.split('/').map(decodeURIComponent).join('/');
      const found = (listing as Listing).items.find((item) => String(item.name ?? item.number) === key);
      return found && single[1] === 'branches'
        ? {
            ...found,
            _links: {
              self: `https://api.github.com/repos/${fullName}/branches/${key}`,
              html: `https://github.com/${fullName}/tree/${key}`,
            },
          }
        : found;
    }
    switch (rest) {
      case '/branches': {
        const only = query.get('protected');
        const branches = empty ? [] : this.edited(fullName, rest, this.branches(fullName));
        return { linkPath, items: branches.filter((b) => only === null || String(b.protected) === only) };
      }
      case '/tags':
        return { linkPath, items: empty ? [] : this.edited(fullName, rest, this.tags(fullName)) };
      case '/environments':
        return { linkPath, key: 'environments', unlinked: true, items: this.environments(org, index) };
      case '/collaborators': {
        const affiliation = query.get('affiliation') ?? 'all';
        // Changed collaborators are direct ones: none is outside in the fake's organizations.
        return {
          linkPath,
          items: affiliation === 'outside' ? [] : this.edited(fullName, rest, this.collaborators(org, affiliation)),
        };
      }
      case '/dependabot/alerts': {
        const refused = this.featureRefusal(fullName, 'dependabot');
        if (refused) return refused;
        const states = (query.get('state') ?? ALL_ALERT_STATES).split(',');
        const severities = query.get('severity')?.split(',');
        const alerts = this.edited(fullName, rest, this.dependabotAlerts(fullName)).filter(
          (a) => states.includes(a.state) && (!severities || severities.includes(a.security_advisory.severity)),
        );
        return { linkPath, cursor: true, items: alerts };
      }
      case '/code-scanning/alerts': {
        const refused = this.featureRefusal(fullName, 'code-scanning');
        if (refused) return refused;
        const state = query.get('state');
        const alerts = this.edited(fullName, rest, this.codeScanningAlerts(fullName));
        return { linkPath, items: alerts.filter((a) => !state || state === ALL_ALERT_STATES || a.state === state) };
      }
    }
    const statuses = /^\/deployments\/(\d+)\/statuses$/.exec(rest);
    if (statuses) {
      const deployment = this.deployments(org, index).find((d) => d.id === Number(statuses[1]));
      return deployment && { linkPath, items: this.edited(fullName, rest, this.deploymentStatuses(fullName, deployment)) };
    }
    const content = /^\/contents\/(.+)$/.exec(rest);
    if (content) {
      if (empty)
        return new Refusal(
          404,
          'This repository is empty.',
          'https://docs.github.com/rest/repos/contents#get-repository-content',
        );
      return this.file(fullName, content[1]!.split('/').map(decodeURIComponent).join('/'));
    }
    return undefined;
  }

  private featureRefusal(fullName: string, feature: 'dependabot' | 'code-scanning'): Refusal | undefined {
    const state = this.features.get(`${feature}:${fullName}`);
    const documentation =
      feature === 'dependabot'
        ? 'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository'
        : 'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository';
    if (state === 'forbidden') {
      const permission = feature === 'dependabot' ? 'vulnerability_alerts=read' : 'security_events=read';
      return new Refusal(403, 'Resource not accessible by integration', documentation, {
        'x-accepted-github-permissions': permission,
      });
    }
    if (state === 'disabled') {
      const message =
        feature === 'dependabot'
          ? 'Dependabot alerts are disabled for this repository.'
          : 'Advanced Security must be enabled for this repository to use code scanning.';
      return new Refusal(403, message, documentation);
    }
    return undefined;
  }

  private sha(...parts: Array<string | number>): string {
    return createHash('sha1').update(parts.join(':')).digest('hex');
  }

  private branches(fullName: string): Json[] {
    return Array.from({ length: this.shape.branches }, (_, n) => {
      const name = n === 0 ? DEFAULT_BRANCH : `feature-${n}`;
      const sha = this.sha(fullName, 'branch', name);
      return {
        name,
        commit: { sha, url: `https://api.github.com/repos/${fullName}/commits/${sha}` },
        protected: n === 0,
        protection: {
          enabled: n === 0,
          required_status_checks: { enforcement_level: n === 0 ? 'non_admins' : 'off', contexts: [], checks: [] },
        },
        protection_url: `https://api.github.com/repos/${fullName}/branches/${name}/protection`,
      };
    });
  }

  private tags(fullName: string): Json[] {
    return Array.from({ length: this.shape.tags }, (_, n) => {
      const name = `v1.${n}.0`;
      const sha = this.sha(fullName, 'tag', name);
      return {
        name,
        commit: { sha, url: `https://api.github.com/repos/${fullName}/commits/${sha}` },
        zipball_url: `https://api.github.com/repos/${fullName}/zipball/refs/tags/${name}`,
        tarball_url: `https://api.github.com/repos/${fullName}/tarball/refs/tags/${name}`,
        node_id: `REF_${Buffer.from(`${fullName}:${name}`).toString('base64url')}`,
      };
    });
  }

  private environments(org: string, repo: number): Json[] {
    const fullName = `${org}/repo-${repo}`;
    return Array.from({ length: this.shape.environments }, (_, n) => {
      const name = n === 0 ? 'production' : `staging-${n}`;
      const id = this.itemId(org, repo, 7, n);
      return {
        id,
        node_id: `EN_${id}`,
        name,
        url: `https://api.github.com/repos/${fullName}/environments/${name}`,
        html_url: `https://github.com/${fullName}/deployments/activity_log?environments_filter=${name}`,
        created_at: this.date(200),
        updated_at: this.date(n + 10),
        protection_rules: n === 0 ? [{ id: id + 1, node_id: `GA_${id + 1}`, type: 'wait_timer', wait_timer: 30 }] : [],
        deployment_branch_policy: n === 0 ? { protected_branches: true, custom_branch_policies: false } : null,
      };
    });
  }

  private deploymentStatuses(fullName: string, deployment: Json): Json[] {
    const [org, name] = fullName.split('/') as [string, string];
    const repo = Number(name.slice('repo-'.length));
    const index = deployment.id % 1000;
    // GitHub lists a deployment's statuses newest first.
    return Array.from({ length: this.shape.deploymentStatuses }, (_, n) => {
      const id = this.itemId(org, repo, 8, index * 10 + n);
      const latest = n === 0;
      return {
        id,
        node_id: `DES_${id}`,
        state: latest ? 'success' : 'in_progress',
        creator: deployment.creator,
        description: latest ? 'Deployed' : 'Deploying',
        environment: deployment.environment,
        created_at: this.date(index),
        updated_at: this.date(index),
        target_url: '',
        log_url: `https://github.com/${fullName}/actions/runs/${id}`,
        environment_url: `https://${deployment.environment}.${name}.example`,
        deployment_url: `https://api.github.com/repos/${fullName}/deployments/${deployment.id}`,
        repository_url: `https://api.github.com/repos/${fullName}`,
        url: `https://api.github.com/repos/${fullName}/deployments/${deployment.id}/statuses/${id}`,
        performed_via_github_app: null,
      };
    });
  }

  private collaborators(org: string, affiliation: string): Json[] {
    const roles = ['admin', 'write', 'read'] as const;
    const people = this.members(org)
      .slice(0, this.shape.collaborators)
      .map((member, n) => {
        const role = roles[n % roles.length]!;
        return {
          ...member,
          // GitHub shows an email only where the user made it public.
          email: n % 2 === 1 ? `${member.login}@users.example` : null,
          name: n % 2 === 1 ? `Person ${n}` : null,
          permissions: {
            pull: true,
            triage: role !== 'read',
            push: role !== 'read',
            maintain: role === 'admin',
            admin: role === 'admin',
          },
          role_name: role,
        };
      });
    // Outside collaborators: none in the fake's organizations.
    return affiliation === 'outside' ? [] : people;
  }

  private dependabotAlerts(fullName: string): Json[] {
    const severities = ['high', 'critical', 'medium', 'low'] as const;
    return Array.from({ length: this.shape.dependabotAlerts }, (_, n) => {
      const severity = severities[n % severities.length]!;
      const fixed = n % 5 === 4;
      const ghsa = `GHSA-${this.sha(fullName, 'ghsa', n).slice(0, 4)}-${this.sha('b', n).slice(0, 4)}-${this.sha('c', n).slice(0, 4)}`;
      const pkg = { ecosystem: 'npm', name: `package-${n}` };
      return {
        number: n + 1,
        state: fixed ? 'fixed' : 'open',
        dependency: { package: pkg, manifest_path: 'package-lock.json', scope: 'runtime', relationship: 'transitive' },
        security_advisory: {
          ghsa_id: ghsa,
          cve_id: n % 2 === 0 ? `CVE-2026-${31000 + n}` : null,
          summary: `Advisory ${n + 1} for ${pkg.name}`,
          description: 'A vulnerable version range.',
          severity,
          identifiers: [{ type: 'GHSA', value: ghsa }],
          references: [],
          published_at: this.date(n + 20),
          updated_at: this.date(n + 19),
          withdrawn_at: null,
          vulnerabilities: [],
          cvss: { score: 7.5, vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N' },
          cwes: [],
        },
        security_vulnerability: {
          package: pkg,
          severity,
          vulnerable_version_range: '< 2.0.0',
          first_patched_version: { identifier: '2.0.0' },
        },
        url: `https://api.github.com/repos/${fullName}/dependabot/alerts/${n + 1}`,
        html_url: `https://github.com/${fullName}/security/dependabot/${n + 1}`,
        created_at: this.date(n + 18),
        updated_at: this.date(n + 18),
        dismissed_at: null,
        dismissed_by: null,
        dismissed_reason: null,
        dismissed_comment: null,
        fixed_at: fixed ? this.date(n + 1) : null,
        auto_dismissed_at: null,
        assignees: [],
      };
    });
  }

  private codeScanningAlerts(fullName: string): Json[] {
    return Array.from({ length: this.shape.codeScanningAlerts }, (_, n) => ({
      number: n + 1,
      state: n % 4 === 3 ? 'fixed' : 'open',
      created_at: this.date(n + 9),
      updated_at: this.date(n + 8),
      fixed_at: n % 4 === 3 ? this.date(n + 1) : null,
      url: `https://api.github.com/repos/${fullName}/code-scanning/alerts/${n + 1}`,
      html_url: `https://github.com/${fullName}/security/code-scanning/${n + 1}`,
      instances_url: `https://api.github.com/repos/${fullName}/code-scanning/alerts/${n + 1}/instances`,
      dismissed_by: null,
      dismissed_at: null,
      dismissed_reason: null,
      dismissed_comment: null,
      rule: {
        id: 'js/sql-injection',
        name: 'js/sql-injection',
        severity: 'error',
        security_severity_level: 'high',
        description: 'Database query built from user-controlled sources',
        tags: ['security'],
      },
      tool: { name: 'CodeQL', guid: null, version: '2.23.0' },
      most_recent_instance: {
        ref: `refs/heads/${DEFAULT_BRANCH}`,
        analysis_key: '.github/workflows/codeql.yml:analyze',
        environment: '{}',
        category: '.github/workflows/codeql.yml:analyze',
        state: 'open',
        commit_sha: this.sha(fullName, 'branch', DEFAULT_BRANCH),
        message: { text: 'This query depends on a user-provided value.' },
        location: { path: `src/module-${n}.ts`, start_line: 10 + n, end_line: 10 + n, start_column: 3, end_column: 40 },
        classifications: [],
      },
    }));
  }

  /** A file as GitHub's contents API answers it (`content-file`): README.md everywhere, CODEOWNERS in even repositories. */
  private file(fullName: string, path: string): Json {
    const index = Number(fullName.split('/repo-')[1]);
    const generated =
      path === 'README.md'
        ? `# ${fullName}\n\nRepository ${index}.\n`
        : path === 'CODEOWNERS' && index % 2 === 0
          ? `* @${fullName.split('/')[0]}/team-0\n`
          : null;
    const key = `${fullName}:${path}`;
    const text = this.files.has(key) ? this.files.get(key)! : generated;
    if (text === null) return new Refusal(404, 'Not Found', 'https://docs.github.com/rest/repos/contents#get-repository-content');
    const bytes = Buffer.from(text);
    const sha = this.sha('blob', text);
    const api = `https://api.github.com/repos/${fullName}/contents/${path}`;
    const inline = bytes.length <= 1024 * 1024;
    return {
      type: 'file',
      encoding: inline ? 'base64' : 'none',
      size: bytes.length,
      name: path.split('/').at(-1),
      path,
      // GitHub wraps the base64 at 60 characters.
      content: inline ? (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n' : '',
      sha,
      url: `${api}?ref=${DEFAULT_BRANCH}`,
      git_url: `https://api.github.com/repos/${fullName}/git/blobs/${sha}`,
      html_url: `https://github.com/${fullName}/blob/${DEFAULT_BRANCH}/${path}`,
      download_url: `https://raw.githubusercontent.com/${fullName}/${DEFAULT_BRANCH}/${path}`,
      _links: {
        self: `${api}?ref=${DEFAULT_BRANCH}`,
        git: `https://api.github.com/repos/${fullName}/git/blobs/${sha}`,
        html: `https://github.com/${fullName}/blob/${DEFAULT_BRANCH}/${path}`,
      },
    };
  }

  /** Dependabot's cursor paging: `Link` with `after=<cursor>` (and no `page`). */
  private cursorLink(listing: Listing, url: URL, start: number, perPage: number): string | undefined {
    if (start + perPage >= listing.items.length) return undefined;
    const target = new URL(`${this.server.origin}/api/v3${listing.linkPath}`);
    for (const [name, value] of url.searchParams) if (name !== 'after' && name !== 'before') target.searchParams.set(name, value);
    target.searchParams.set('after', Buffer.from(`cursor:${start + perPage}`).toString('base64url'));
    return `<${target.toString()}>; rel="next"`;
  }
  // ---- End of the per-repository kinds.
}

/** Where a Dependabot cursor (opaque to clients) starts the page. */
function cursorStart(after: string | null): number {
  if (!after) return 0;
  const match = /^cursor:(\d+)$/.exec(Buffer.from(after, 'base64url').toString());
  return match ? Number(match[1]) : 0;
}

function isListing(body: Json): body is Listing {
  return typeof body === 'object' && body !== null && Array.isArray(body.items) && typeof body.linkPath === 'string';
}

/** A template with the example repositories' names replaced by `fullName` in every URL and name. */
function renamed(template: Json, fullName: string): Json {
  const text = JSON.stringify(template)
    .replaceAll('octocat/Hello-World', fullName)
    .replaceAll('octo-org/octo-repo', fullName)
    .replaceAll('octocat/example', fullName);
  return JSON.parse(text);
}

function userBody(login: string): Record<string, unknown> {
  return {
    ...USER,
    login,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    name: 'Octo Fixture',
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 2,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2017-10-10T16:00:00Z',
    updated_at: '2017-10-10T16:00:00Z',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, private_repos: 10000, collaborators: 0 },
  };
}
