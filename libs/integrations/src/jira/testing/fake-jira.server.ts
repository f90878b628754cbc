import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoopbackServer, sendJson, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';

// Jira on loopback, for the Jira integration's tests and benchmark, in its three shapes at once:
// - Cloud through Atlassian's gateway for OAuth (3LO) tokens: `/oauth/token/accessible-resources`
//   and `/ex/jira/{cloudId}/rest/...` with `Authorization: Bearer`;
// - a Cloud site for API tokens: `/rest/api/3/...` with `Authorization: Basic base64(email:token)`;
// - Data Center for personal access tokens: `/rest/api/2/...` with `Authorization: Bearer`.
// Shapes follow Atlassian's published OpenAPI descriptions (platform and software): PageBeans
// (`startAt`, `maxResults`, `isLast`, `total`, `values`), issue search by `nextPageToken` on
// `/rest/api/3/search/jql` (no total; `fields` default to `id` only; the old `/rest/api/3/search`
// answers 410), `users/search` as a bare array, errors as `{errorMessages, errors}`, 429 with
// `Retry-After` and `X-RateLimit-*`. Search is eventually consistent: an issue created through
// `createIssue` is read by id at once but searched only after `index()`. Webhooks: dynamic ones for
// OAuth apps (30-day expiry on the fake's clock, refreshable; deliveries carry a JWT signed HS256
// with the app's client secret) and admin ones (`X-Hub-Signature: sha256=…` with their secret).
// Atlassian Teams: the Teams public API on the site's gateway (`/gateway/api/public/teams/v1/org/
// {orgId}/teams` by `cursor`; members by POST with `{ first, after }` and `pageInfo`).

type Json = Record<string, any>; // Jira's objects
export const CLOUD_ID = '7c1e2a9b-4d3f-4e8a-b5c6-1f2e3d4c5b6a';
const DAY_MS = 86_400_000;
const ISSUE_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];

export interface FakeJiraShape {
  readonly projects: number;
  readonly issues: number;
  readonly users: number;
  /** Atlassian teams of the organization (`ATLASSIAN_ORG_ID`). */
  readonly teams: number;
  /** Members of each team (users in turn, from the team's number on). */
  readonly teamMembers: number;
}

export const DEFAULT_JIRA_SHAPE: FakeJiraShape = { projects: 3, issues: 60, users: 20, teams: 3, teamMembers: 4 };

/** The Atlassian organization the fake's teams belong to (its ids are not hex). */
export const ATLASSIAN_ORG_ID = 'c8j8ka0a-1a77-1b6a-jc08-3c0aa2ada1b8';
const TEAMS_API = `/gateway/api/public/teams/v1/org/`;

interface DynamicWebhook {
  readonly id: number;
  readonly url: string;
  readonly events: readonly string[];
  /** The client secret of the OAuth app whose token registered it: Jira signs its deliveries with it. */
  readonly clientSecret: string;
  readonly jqlFilter: string;
  expiresAt: number;
}

interface AdminWebhook {
  readonly id: number;
  readonly url: string;
  readonly events: readonly string[];
  readonly secret: string | undefined;
}

/** Jira's timestamp format: milliseconds and `+0000` without a colon. */
const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export class FakeJira {
  readonly stats = { requests: 0, rateLimited: 0 };
  readonly projects: Json[] = [];
  readonly issues = new Map<string, Json>();
  readonly users: Json[] = [];
  readonly boards: Json[] = [];
  readonly sprints = new Map<number, Json[]>();
  readonly versions = new Map<string, Json[]>();
  readonly components = new Map<string, Json[]>();
  /** Teams (`PublicApiTeam`) and each team's member account ids. */
  readonly teams: Json[] = [];
  readonly teamMembers = new Map<string, string[]>();
  /** The Teams API answers 403 (the account is no organization admin, or Teams is off). */
  teamsForbidden = false;
  /** Teams whose member pages say more follow but give no `endCursor`. */
  readonly malformedMembers = new Set<string>();
  readonly dynamicWebhooks = new Map<number, DynamicWebhook>();
  readonly adminWebhooks = new Map<number, AdminWebhook>();
  /** The OAuth app's client secret: dynamic webhook deliveries are JWTs signed with it. */
  readonly clientSecret = randomBytes(24).toString('base64url');
  /** Milliseconds added to the real clock (webhook expiry). */
  clockOffsetMs = 0;
  private readonly unindexed = new Set<string>();
  private readonly basic = new Set<string>();
  /** OAuth access tokens, each with the client secret of the OAuth app it was issued to. */
  private readonly oauthTokens = new Map<string, string>();
  private readonly pats = new Set<string>();
  private rateLimitNext = 0;
  private nextWebhookId = 1000;
  private nextIssueId = 10_000;

  private constructor(
    private readonly server: LoopbackServer,
    private readonly latencyMs: number,
  ) {}

  static async start(options: { shape?: Partial<FakeJiraShape>; latencyMs?: number } = {}): Promise<FakeJira> {
    const started: { fake?: FakeJira } = {};
    const server = await LoopbackServer.start((request, response) => started.fake!.answer(request, response));
    const fake = (started.fake = new FakeJira(server, options.latencyMs ?? 0));
    fake.seed({ ...DEFAULT_JIRA_SHAPE, ...options.shape });
    return fake;
  }

  /** The Cloud site (API tokens) or Data Center base URL (personal access tokens). */
  get siteUrl(): string {
    return this.server.origin;
  }

  /** Atlassian's API gateway (`api.atlassian.com`) for OAuth tokens. */
  get gatewayUrl(): string {
    return this.server.origin;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  addApiToken(email: string, token: string): void {
    this.basic.add(Buffer.from(`${email}:${token}`).toString('base64'));
  }

  /** An OAuth token issued to the platform's app, or to another app (an organization's own) with `clientSecret`. */
  addOAuthToken(token: string, clientSecret = this.clientSecret): void {
    this.oauthTokens.set(token, clientSecret);
  }

  addPat(token: string): void {
    this.pats.add(token);
  }

  revoke(token: string): void {
    this.oauthTokens.delete(token);
    this.pats.delete(token);
    for (const credential of this.basic) {
      if (Buffer.from(credential, 'base64').toString().endsWith(`:${token}`)) this.basic.delete(credential);
    }
  }

  /** The next `count` requests answer 429 with `Retry-After: 0`. */
  rateLimit(count: number): void {
    this.rateLimitNext = count;
  }

  /** Creates an issue: readable by id at once, found by search only after `index()`. */
  createIssue(projectKey: string, summary: string): Json {
    const project = this.projects.find((p) => p['key'] === projectKey)!;
    const issue = this.issue(project, this.issues.size + 1, this.now());
    issue['fields']['summary'] = summary;
    this.issues.set(issue['id'], issue);
    this.unindexed.add(issue['id']);
    return issue;
  }

  /** Search catches up with every change. */
  index(): void {
    this.unindexed.clear();
  }

  /** Delivers an event to every webhook following it (dynamic: JWT; admin: X-Hub-Signature). */
  async deliver(webhookEvent: string, payload: Json, options: { readonly forge?: boolean } = {}): Promise<Response[]> {
    const body = JSON.stringify({ timestamp: this.now(), webhookEvent, ...payload });
    const headers = {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': randomBytes(12).toString('hex'),
      'x-atlassian-webhook-flow': 'Primary',
    };
    const answers: Response[] = [];
    for (const hook of this.dynamicWebhooks.values()) {
      if (!hook.events.includes(webhookEvent) || hook.expiresAt <= this.now()) continue;
      const withIds = JSON.stringify({ ...JSON.parse(body), matchedWebhookIds: [hook.id] });
      const jwt = FakeJira.jwt(
        { iss: 'jira', iat: Math.floor(this.now() / 1000), exp: Math.floor(this.now() / 1000) + 300 },
        options.forge ? 'not-the-client-secret' : hook.clientSecret,
      );
      answers.push(
        await fetch(hook.url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${jwt}` }, body: withIds }),
      );
    }
    for (const hook of this.adminWebhooks.values()) {
      if (!hook.events.includes(webhookEvent)) continue;
      const signature: Record<string, string> = hook.secret
        ? {
            'x-hub-signature': `sha256=${createHmac('sha256', options.forge ? 'guess' : hook.secret)
              .update(body)
              .digest('hex')}`,
          }
        : {};
      answers.push(await fetch(hook.url, { method: 'POST', headers: { ...headers, ...signature }, body }));
    }
    return answers;
  }

  /** A JWT signed HS256, as Atlassian signs dynamic webhook deliveries with the app's client secret. */
  static jwt(claims: Json, secret: string): string {
    const part = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private seed(shape: FakeJiraShape): void {
    for (let u = 1; u <= shape.users; u++) {
      this.users.push({
        self: `${this.siteUrl}/rest/api/3/user?accountId=712020:${u}`,
        accountId: `712020:${String(u).padStart(8, '0')}`,
        accountType: u % 10 === 0 ? 'app' : 'atlassian',
        emailAddress: `user${u}@harbor.example`,
        displayName: `User ${u}`,
        active: true,
        timeZone: 'Europe/Berlin',
        locale: 'en_US',
      });
    }
    for (let p = 1; p <= shape.projects; p++) {
      const key = `P${String.fromCharCode(64 + (((p - 1) % 26) + 1))}${p}`;
      const id = String(10_000 + p);
      this.projects.push({
        self: `${this.siteUrl}/rest/api/3/project/${id}`,
        id,
        key,
        name: `Project ${p}`,
        projectTypeKey: 'software',
        simplified: false,
        style: 'classic',
        isPrivate: false,
        description: `Project number ${p}`,
        lead: this.userRef(p),
        insight: { totalIssueCount: 0, lastIssueUpdateTime: jiraTime(this.now()) },
      });
      const scrum = {
        id: p * 2 - 1,
        self: `${this.siteUrl}/rest/agile/1.0/board/${p * 2 - 1}`,
        name: `${key} board`,
        type: 'scrum',
      };
      const kanban = { id: p * 2, self: `${this.siteUrl}/rest/agile/1.0/board/${p * 2}`, name: `${key} flow`, type: 'kanban' };
      for (const board of [scrum, kanban]) {
        this.boards.push({
          ...board,
          location: { projectId: Number(id), projectKey: key, projectName: `Project ${p}`, projectTypeKey: 'software' },
          isPrivate: false,
        });
      }
      this.sprints.set(
        scrum.id,
        [1, 2].map((s) => ({
          id: scrum.id * 10 + s,
          self: `${this.siteUrl}/rest/agile/1.0/sprint/${scrum.id * 10 + s}`,
          state: s === 1 ? 'closed' : 'active',
          name: `${key} Sprint ${s}`,
          startDate: new Date(this.now() - (3 - s) * 14 * DAY_MS).toISOString(),
          endDate: new Date(this.now() - (2 - s) * 14 * DAY_MS).toISOString(),
          createdDate: new Date(this.now() - 60 * DAY_MS).toISOString(),
          originBoardId: scrum.id,
          goal: `Goal ${s}`,
        })),
      );
      this.versions.set(
        key,
        [1, 2].map((v) => ({
          self: `${this.siteUrl}/rest/api/3/version/${Number(id) * 10 + v}`,
          id: String(Number(id) * 10 + v),
          name: `${p}.${v}.0`,
          description: `Release ${v}`,
          archived: false,
          released: v === 1,
          overdue: false,
          startDate: '2026-09-01',
          releaseDate: '2026-09-20',
          projectId: Number(id),
        })),
      );
      this.components.set(
        key,
        [1, 2].map((c) => ({
          self: `${this.siteUrl}/rest/api/3/component/${Number(id) * 10 + c}`,
          id: String(Number(id) * 10 + c),
          name: `component-${c}`,
          description: `Component ${c}`,
          lead: this.userRef(c),
          assigneeType: 'COMPONENT_LEAD',
          realAssigneeType: 'COMPONENT_LEAD',
          isAssigneeTypeValid: true,
          issueCount: 0,
          project: key,
          projectId: Number(id),
        })),
      );
    }
    for (let t = 1; t <= shape.teams; t++) {
      const teamId = `0b3e6c1a-2d4f-4a8b-9c7e-${String(t).padStart(12, '0')}`;
      this.teams.push({
        teamId,
        displayName: `Team ${t}`,
        description: `Team number ${t}`,
        state: 'ACTIVE',
        teamType: t % 2 ? 'MEMBER_INVITE' : 'OPEN',
        organizationId: `ari:cloud:platform::org/${ATLASSIAN_ORG_ID}`,
        creatorId: this.users[0]?.['accountId'],
      });
      const members: string[] = [];
      for (let m = 0; m < Math.min(shape.teamMembers, this.users.length); m++) {
        members.push(this.users[(t - 1 + m) % this.users.length]!['accountId']);
      }
      this.teamMembers.set(teamId, members);
    }
    for (let i = 1; i <= shape.issues; i++) {
      const project = this.projects[i % this.projects.length]!;
      const issue = this.issue(project, i, this.now() - (shape.issues - i) * 60_000);
      this.issues.set(issue['id'], issue);
    }
  }

  private userRef(n: number): Json {
    const user = this.users[(n - 1) % this.users.length]!;
    return {
      self: user['self'],
      accountId: user['accountId'],
      accountType: user['accountType'],
      active: true,
      displayName: user['displayName'],
      timeZone: 'Europe/Berlin',
    };
  }

  private issue(project: Json, n: number, createdMs: number): Json {
    const id = String(this.nextIssueId++);
    const done = n % 4 === 0;
    const key = `${project['key']}-${n}`;
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id,
      key,
      self: `${this.siteUrl}/rest/api/3/issue/${id}`,
      fields: {
        summary: `Issue ${n}`,
        status: {
          self: `${this.siteUrl}/rest/api/3/status/${done ? 10002 : 3}`,
          id: done ? '10002' : '3',
          name: done ? 'Done' : 'In Progress',
          statusCategory: done
            ? { self: `${this.siteUrl}/rest/api/3/statuscategory/3`, id: 3, key: 'done', colorName: 'green', name: 'Done' }
            : {
                self: `${this.siteUrl}/rest/api/3/statuscategory/4`,
                id: 4,
                key: 'indeterminate',
                colorName: 'yellow',
                name: 'In Progress',
              },
        },
        issuetype: {
          self: `${this.siteUrl}/rest/api/3/issuetype/10004`,
          id: '10004',
          name: n % 3 ? 'Story' : 'Bug',
          subtask: false,
          hierarchyLevel: 0,
        },
        priority: { self: `${this.siteUrl}/rest/api/3/priority/2`, id: '2', name: 'High' },
        assignee: n % 5 ? this.userRef(n) : null,
        reporter: this.userRef(n + 1),
        creator: this.userRef(n + 1),
        project: {
          self: project['self'],
          id: project['id'],
          key: project['key'],
          name: project['name'],
          projectTypeKey: 'software',
          simplified: false,
        },
        created: jiraTime(createdMs),
        updated: jiraTime(createdMs),
        resolutiondate: done ? jiraTime(createdMs) : null,
        labels: n % 2 ? ['billing'] : [],
        components: [
          { self: `${this.siteUrl}/rest/api/3/component/1`, id: String(Number(project['id']) * 10 + 1), name: 'component-1' },
        ],
        fixVersions: [],
        subtasks: [],
      },
    };
  }

  private async answer(request: RecordedRequest, response: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    if (this.latencyMs) await sleep(this.latencyMs);
    const error = (status: number, message: string, headers: Record<string, string> = {}) =>
      sendJson(response, status, { errorMessages: [message], errors: {} }, headers);
    const url = new URL(request.url, this.siteUrl);
    const authorization = String(request.headers['authorization'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
    const basic = /^Basic (.+)$/.exec(authorization)?.[1];

    if (url.pathname === '/oauth/token/accessible-resources') {
      if (!bearer || !this.oauthTokens.has(bearer)) return sendJson(response, 401, { code: 401, message: 'Unauthorized' });
      return sendJson(response, 200, [
        {
          id: CLOUD_ID,
          url: 'https://harbor-labs.atlassian.net',
          name: 'harbor-labs',
          scopes: ['read:jira-work', 'read:jira-user', 'manage:jira-webhook', 'offline_access'],
          avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png',
        },
      ]);
    }
    const gateway = url.pathname.startsWith(`/ex/jira/${CLOUD_ID}/`);
    const path = gateway ? url.pathname.slice(`/ex/jira/${CLOUD_ID}`.length) : url.pathname;
    const mode = gateway ? 'oauth' : path.startsWith('/rest/api/2/') ? 'pat' : 'basic';
    const allowed =
      mode === 'oauth'
        ? bearer !== undefined && this.oauthTokens.has(bearer)
        : bearer !== undefined
          ? this.pats.has(bearer)
          : basic !== undefined && this.basic.has(basic);
    if (!allowed) return error(401, 'You are not authenticated. Authentication required to perform this operation.');
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      this.stats.rateLimited++;
      return error(429, 'Rate limit exceeded.', {
        'retry-after': '0',
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'ratelimit-reason': 'jira-burst-based',
      });
    }
    const api = path.startsWith('/rest/api/2/') ? '/rest/api/2' : '/rest/api/3';
    const rest = path.startsWith('/rest/api/') ? path.slice(api.length) : path;
    const method = request.method;
    let match: RegExpExecArray | null;

    // Webhooks
    if (path === '/rest/api/3/webhook') {
      if (mode !== 'oauth') return error(403, 'Only Connect and OAuth 2.0 apps can use this operation.');
      if (method === 'POST') {
        const body = JSON.parse(request.body) as Json;
        const results = (body['webhooks'] as Json[]).map((hook) => {
          if (!hook['jqlFilter']) return { errors: ['The JQL filter is required.'] };
          const id = this.nextWebhookId++;
          this.dynamicWebhooks.set(id, {
            id,
            url: body['url'],
            events: hook['events'],
            jqlFilter: hook['jqlFilter'],
            clientSecret: this.oauthTokens.get(bearer!)!,
            expiresAt: this.now() + 30 * DAY_MS,
          });
          return { createdWebhookId: id };
        });
        return sendJson(response, 200, { webhookRegistrationResult: results });
      }
      if (method === 'DELETE') {
        for (const id of (JSON.parse(request.body) as Json)['webhookIds'] as number[]) this.dynamicWebhooks.delete(id);
        response.writeHead(202).end();
        return;
      }
      // Expired webhooks are gone, as Jira drops them.
      const hooks = [...this.dynamicWebhooks.values()]
        .filter((hook) => hook.expiresAt > this.now())
        .map(({ expiresAt, ...hook }) => ({ ...hook, expirationDate: expiresAt }));
      return sendJson(response, 200, { startAt: 0, maxResults: 100, total: hooks.length, isLast: true, values: hooks });
    }
    if (path === '/rest/api/3/webhook/refresh' && method === 'PUT') {
      const expiresAt = this.now() + 30 * DAY_MS;
      // Unknown ids are ignored, as Jira ignores them.
      for (const id of (JSON.parse(request.body) as Json)['webhookIds'] as number[]) {
        const hook = this.dynamicWebhooks.get(id);
        if (hook && hook.expiresAt > this.now()) hook.expiresAt = expiresAt;
      }
      return sendJson(response, 200, { expirationDate: expiresAt });
    }
    if (path === '/rest/webhooks/1.0/webhook' && method === 'POST') {
      if (mode === 'oauth') return error(403, 'OAuth 2.0 apps register dynamic webhooks.');
      const body = JSON.parse(request.body) as Json;
      const id = this.nextWebhookId++;
      this.adminWebhooks.set(id, { id, url: body['url'], events: body['events'], secret: body['secret'] });
      return sendJson(response, 201, {
        self: `${this.siteUrl}/rest/webhooks/1.0/webhook/${id}`,
        name: body['name'],
        url: body['url'],
        events: body['events'],
        filters: body['filters'] ?? {},
        enabled: true,
      });
    }
    if ((match = /^\/rest\/webhooks\/1\.0\/webhook\/(\d+)$/.exec(path)) && method === 'DELETE') {
      if (!this.adminWebhooks.delete(Number(match[1]))) return error(404, 'Webhook not found');
      response.writeHead(204).end();
      return;
    }
    if (path === '/_edge/tenant_info' && !gateway) return sendJson(response, 200, { cloudId: CLOUD_ID });
    if (path.startsWith(TEAMS_API)) return this.answerTeams(path.slice(TEAMS_API.length), method, url, request, response, basic);
    if (method !== 'GET') return error(405, 'Method not allowed');

    if (rest === '/myself') return sendJson(response, 200, this.users[0]);
    if (rest === '/search' && api === '/rest/api/3') {
      return error(410, 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.');
    }
    const searchable = () => [...this.issues.values()].filter((issue) => !this.unindexed.has(issue['id']));
    const withFields = (issue: Json) => (url.searchParams.get('fields') ? issue : { id: issue['id'] });
    if (rest === '/search/jql' && api === '/rest/api/3') {
      if (!url.searchParams.get('jql'))
        return error(400, 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
      const max = Math.min(Number(url.searchParams.get('maxResults') ?? 50), 100);
      const token = url.searchParams.get('nextPageToken');
      const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
      if (!Number.isInteger(start)) return error(400, 'The nextPageToken is invalid.');
      const all = searchable();
      const page = all.slice(start, start + max);
      const isLast = start + max >= all.length;
      return sendJson(response, 200, {
        issues: page.map(withFields),
        isLast,
        ...(isLast ? {} : { nextPageToken: Buffer.from(String(start + max)).toString('base64url') }),
      });
    }
    if (rest === '/search' && api === '/rest/api/2') {
      const all = searchable();
      return this.pageBean(response, url, all.map(withFields), 'issues');
    }
    if ((match = /^\/issue\/([^/]+)$/.exec(rest))) {
      const issue = this.issues.get(match[1]!) ?? [...this.issues.values()].find((i) => i['key'] === match![1]);
      return issue
        ? sendJson(response, 200, withFields(issue))
        : error(404, 'Issue does not exist or you do not have permission to see it.');
    }
    if (rest === '/project/search') return this.pageBean(response, url, this.projects);
    if (rest === '/project' && api === '/rest/api/2') return sendJson(response, 200, this.projects);
    if ((match = /^\/project\/([^/]+)$/.exec(rest))) {
      const project = this.projects.find((p) => p['key'] === match![1] || p['id'] === match![1]);
      return project ? sendJson(response, 200, project) : error(404, `No project could be found with key '${match[1]}'.`);
    }
    if ((match = /^\/project\/([^/]+)\/(version|versions|component|components)$/.exec(rest))) {
      const project = this.projects.find((p) => p['key'] === match![1] || p['id'] === match![1]);
      if (!project) return error(404, `No project could be found with key '${match[1]}'.`);
      const list = (match[2]!.startsWith('version') ? this.versions : this.components).get(project['key']) ?? [];
      return match[2]!.endsWith('s') ? sendJson(response, 200, list) : this.pageBean(response, url, list);
    }
    if ((match = /^\/version\/(\d+)$/.exec(rest))) {
      const version = [...this.versions.values()].flat().find((v) => v['id'] === match![1]);
      return version ? sendJson(response, 200, version) : error(404, 'Could not find version for id');
    }
    if (rest === '/users/search' || (rest === '/user/search' && api === '/rest/api/2')) {
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Math.min(Number(url.searchParams.get('maxResults') ?? 50), 1000);
      return sendJson(response, 200, this.users.slice(startAt, startAt + max));
    }
    if (path === '/rest/agile/1.0/board') return this.pageBean(response, url, this.boards);
    if ((match = /^\/rest\/agile\/1\.0\/board\/(\d+)\/sprint$/.exec(path))) {
      const board = this.boards.find((b) => b['id'] === Number(match![1]));
      if (!board) return error(404, 'Board does not exist or you do not have permission to see it.');
      if (board['type'] !== 'scrum') return error(400, 'The board does not support sprints');
      return this.pageBean(response, url, this.sprints.get(board['id']) ?? []);
    }
    if ((match = /^\/rest\/agile\/1\.0\/sprint\/(\d+)$/.exec(path))) {
      const sprint = [...this.sprints.values()].flat().find((s) => s['id'] === Number(match![1]));
      return sprint
        ? sendJson(response, 200, sprint)
        : error(404, 'Sprint does not exist or you do not have permission to see it.');
    }
    return error(404, 'Not found');
  }

  /**
   * Atlassian's Teams public API on the site's gateway (API token, basic only): teams by `cursor` and
   * `size` (at most 300), members by POST with `{ first, after }`; errors as `{ code, message }`.
   */
  private answerTeams(
    rest: string,
    method: string | undefined,
    url: URL,
    request: RecordedRequest,
    response: http.ServerResponse,
    basic: string | undefined,
  ): void {
    const coded = (status: number, code: string, message: string) => sendJson(response, status, { code, message });
    if (!basic) return coded(401, 'UNAUTHORIZED', 'The Teams API takes basic authentication with an API token.');
    const match = /^([^/]+)\/teams(?:\/([^/]+)\/members)?$/.exec(rest);
    if (!match) return coded(404, 'NOT_FOUND', 'Not found');
    if (decodeURIComponent(match[1]!) !== ATLASSIAN_ORG_ID) return coded(404, 'NOT_FOUND', 'The organization cannot be found.');
    if (this.teamsForbidden) return coded(403, 'FORBIDDEN', 'The user is not permitted to read the teams of this organization.');
    const siteId = url.searchParams.get('siteId');
    if (siteId !== null && siteId !== CLOUD_ID)
      return coded(400, 'INVALID_INPUT', 'The siteId is not a site of this organization.');
    const cursorOf = (start: number) => Buffer.from(`offset:${start}`).toString('base64url');
    const startOf = (cursor: string | null | undefined) => {
      if (!cursor) return 0;
      const found = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
      return found ? Number(found[1]) : Number.NaN;
    };
    if (!match[2]) {
      if (method !== 'GET') return coded(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
      const size = Number(url.searchParams.get('size') ?? 50);
      if (!Number.isInteger(size) || size < 1 || size > 300)
        return coded(400, 'INVALID_INPUT', 'size must be between 1 and 300.');
      const start = startOf(url.searchParams.get('cursor'));
      if (Number.isNaN(start)) return coded(400, 'INVALID_INPUT', 'The cursor is invalid.');
      const more = start + size < this.teams.length;
      return sendJson(response, 200, {
        entities: this.teams.slice(start, start + size),
        ...(more ? { cursor: cursorOf(start + size) } : {}),
      });
    }
    if (method !== 'POST') return coded(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    const teamId = decodeURIComponent(match[2]);
    const members = this.teamMembers.get(teamId);
    if (!members) return coded(404, 'NOT_FOUND', 'The team cannot be found.');
    let body: Json;
    try {
      body = request.body ? (JSON.parse(request.body) as Json) : {};
    } catch {
      return coded(400, 'INVALID_INPUT', 'The body is not JSON.');
    }
    const first = body['first'] ?? 50;
    if (!Number.isInteger(first) || first < 1) return coded(400, 'INVALID_INPUT', 'first must be a positive integer.');
    const start = startOf(body['after']);
    if (Number.isNaN(start)) return coded(400, 'INVALID_INPUT', 'The cursor is invalid.');
    const page = members.slice(start, start + first);
    const hasNextPage = start + first < members.length;
    return sendJson(response, 200, {
      results: page.map((accountId) => ({ accountId })),
      pageInfo: {
        hasNextPage,
        ...(this.malformedMembers.has(teamId) && hasNextPage ? {} : { endCursor: cursorOf(start + page.length) }),
      },
    });
  }

  private pageBean(response: http.ServerResponse, url: URL, all: Json[], key = 'values'): void {
    const startAt = Number(url.searchParams.get('startAt') ?? 0);
    const requested = Number(url.searchParams.get('maxResults') ?? 50);
    // A larger page than allowed silently becomes the default, as Jira does.
    const max = requested > 100 ? 50 : requested;
    const values = all.slice(startAt, startAt + max);
    sendJson(response, 200, { startAt, maxResults: max, total: all.length, isLast: startAt + max >= all.length, [key]: values });
  }
}

export const JIRA_ISSUE_EVENTS = ISSUE_EVENTS;
