import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createLogger, loadConfig, type Environment } from '@mooring/platform';
import { allRoutes, type RouteDefinition } from '@mooring/contract';
import { OrganizationService, PeopleService } from '@mooring/identity';
import type { Role } from '@mooring/platform';
import { createApiApp } from '../../apps/api/src/api-app.js';
import type { InstallationsOverrides } from '../../apps/api/src/app.module.js';
import { apiConfigSpec } from '../../apps/api/src/config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

const CONTRACT = allRoutes().map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`),
}));

/**
 * Every success answer of a contract route must match the contract's response schema: the api's
 * tests double as a check that what the web app is typed against is what the api sends.
 */
export function assertMatchesContract(method: string, url: string, status: number, body: unknown): void {
  const path = new URL(url, 'http://x').pathname;
  const match = CONTRACT.find(({ route, pattern }) => route.method === method && pattern.test(path));
  const route: RouteDefinition | undefined = match?.route;
  if (!route?.response || status !== route.status) return;
  const parsed = route.response.safeParse(body);
  if (!parsed.success) {
    throw new Error(`${method} ${path} answered outside the contract: ${JSON.stringify(parsed.error.issues.slice(0, 5))}`);
  }
}

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface TestOrganization {
  readonly orgId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** A bearer token of the organization's admin client. */
  readonly token: string;
}

/**
 * The api as production builds it (same module, filters, guard, middleware), on a random
 * loopback port, over a fresh database and a private Redis namespace. Every log line is kept
 * in `logs`, so tests can assert what was (and was not) logged.
 */
export class TestApi {
  /** Every response body (and redirect Location) the api sent through `request`/`fetch`. */
  readonly responses: string[] = [];

  private constructor(
    readonly logs: string[],
    readonly app: INestApplication,
    readonly baseUrl: string,
    readonly db: TestDatabase,
    readonly redis: TestRedis,
  ) {}

  static async start(
    env: Environment = {},
    installations: InstallationsOverrides | ((context: { redis: TestRedis; db: TestDatabase }) => InstallationsOverrides) = {},
  ): Promise<TestApi> {
    const db = await createTestDatabase();
    const redis = createTestRedis(env['REDIS_URL']);
    const config = loadConfig(apiConfigSpec, {
      DATABASE_URL: db.appUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      VAULT_LOCAL_MASTER_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
      // A test configuration: the fake tool is on offer.
      INTEGRATIONS_FAKE_ENABLED: 'true',
      // Cheaper password hashing keeps sign-in tests fast; production's cost is tested on its own.
      PASSWORD_HASH_LOG_N: '12',
      ...env,
    });
    const logs: string[] = [];
    const logger = createLogger({
      service: 'api-test',
      level: config.log.level,
      destination: { write: (line: string) => logs.push(line) },
    });
    const overrides = typeof installations === 'function' ? installations({ redis, db }) : installations;
    const app = await createApiApp(config, logger, overrides);
    // A fixed port when the test needs to know it up front (an OAuth redirect URI); any free one otherwise.
    await app.listen(env['API_PORT'] ? config.http.port : 0, '127.0.0.1');
    return new TestApi(logs, app, `http://127.0.0.1:${new URL(await app.getUrl()).port}`, db, redis);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.db.drop();
    await this.redis.clear();
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    this.responses.push(text);
    const body = text ? (JSON.parse(text) as T) : (undefined as T);
    assertMatchesContract(method, path, response.status, body);
    return { status: response.status, body, headers: response.headers };
  }

  /** A raw request (no redirects followed), recorded like `request`. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, { redirect: 'manual', ...init });
    const body = await response.clone().text();
    this.responses.push(`${response.headers.get('location') ?? ''}\n${body}`);
    return response;
  }

  /** Creates an organization with an admin client and exchanges its secret for a token. */
  async createOrganization(name: string): Promise<TestOrganization> {
    const { organization, credentials } = await this.app.get(OrganizationService).create(name);
    const token = await this.token(credentials.clientId, credentials.clientSecret);
    return { orgId: organization.id, ...credentials, token };
  }

  /** Creates a person who can sign in. */
  async createUser(orgId: string, email: string, role: Role, password = `pw-${randomBytes(9).toString('base64url')}`) {
    const user = await this.app.get(PeopleService).createUser(orgId, { email, name: email.split('@')[0]!, role, password });
    return { ...user, password };
  }

  /** A browser for this api: keeps cookies and sends the CSRF cookie back as x-csrf-token. */
  browser(headers: Record<string, string> = {}): CookieBrowser {
    return new CookieBrowser(this, headers);
  }

  /** Signs a person in and returns their browser. */
  async signIn(email: string, password: string, headers: Record<string, string> = {}): Promise<CookieBrowser> {
    const browser = this.browser(headers);
    const response = await browser.request('POST', '/v1/auth/sign-in', { body: { email, password } });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
    return browser;
  }

  async token(clientId: string, clientSecret: string): Promise<string> {
    const response = await this.request<{ accessToken: string }>('POST', '/v1/auth/access_token', {
      body: { clientId, clientSecret },
    });
    if (response.status !== 200) throw new Error(`token exchange failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.accessToken;
  }
}

/** The api seen from a browser tab: cookies kept per name, CSRF header added like the web app does. */
export class CookieBrowser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent. */
  readonly setCookies: string[] = [];

  constructor(
    private readonly api: TestApi,
    private readonly headers: Record<string, string> = {},
  ) {}

  get csrfToken(): string | undefined {
    return this.cookies.get('mooring_csrf');
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    if (this.cookies.size) headers['cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.api.baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      const expired = /expires=Thu, 01 Jan 1970/i.test(header);
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    const text = await response.text();
    this.api.responses.push(`${response.headers.get('location') ?? ''}\n${text}`);
    let body: any = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    assertMatchesContract(method, path, response.status, body);
    return { status: response.status, body: body as T, headers: response.headers };
  }
}
