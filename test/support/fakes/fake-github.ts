import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { repoRoot } from '../processes.js';
import { LoopbackServer, sendJson, type RecordedRequest } from './loopback-server.js';

// Recorded GitHub responses from @octokit/fixtures (read as JSON: its index pulls in nock).
const FIXTURES = path.join(repoRoot, 'node_modules/@octokit/fixtures/scenarios/api.github.com');

interface Fixture {
  readonly path: string;
  readonly status: number;
  readonly response: Record<string, unknown>;
  readonly headers: Record<string, string | number>;
}

function fixture(scenario: string, predicate: (entry: Fixture) => boolean): Fixture {
  const entries = JSON.parse(fs.readFileSync(path.join(FIXTURES, scenario, 'normalized-fixture.json'), 'utf8')) as Fixture[];
  const found = entries.find(predicate);
  if (!found) throw new Error(`no fixture in ${scenario}`);
  return found;
}

const ORGANIZATION = fixture('get-organization', (entry) => entry.path.startsWith('/orgs/'));
// A user object as GitHub embeds it (release author), extended below to GET /user's documented shape.
const USER = fixture('release-assets', (entry) => typeof entry.response['author'] === 'object').response['author'] as Record<
  string,
  unknown
>;
// Headers GitHub sends with every REST answer (rate limits, media type, request id, OAuth scope headers).
const BASE_HEADERS = Object.fromEntries(
  Object.entries(ORGANIZATION.headers)
    .filter(([name]) => !['content-length', 'connection', 'etag', 'last-modified', 'date', 'x-oauth-scopes'].includes(name))
    .map(([name, value]) => [name, String(value)]),
);

export interface FakeGithubToken {
  readonly login: string;
  /** `X-OAuth-Scopes` of a classic token or OAuth app; null for a fine-grained token (no header). */
  readonly scopes: string | null;
  readonly organizations: readonly string[];
}

/**
 * GitHub's REST API as Mooring's GitHub auth uses it, on loopback: `GET /user` and `GET /orgs/:org`,
 * under `/api/v3` as GitHub Enterprise Server serves them, with GitHub's bodies, headers and errors.
 */
export class FakeGithub {
  private readonly tokens = new Map<string, FakeGithubToken>();

  private constructor(readonly server: LoopbackServer) {}

  static async start(): Promise<FakeGithub> {
    const server = await LoopbackServer.start((request, response) => github.handle(request, response));
    const github = new FakeGithub(server);
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

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: RecordedRequest, response: http.ServerResponse): void {
    const url = new URL(request.url, 'http://fake');
    const route = url.pathname.replace(/^\/api\/v3/, '');
    const match = /^Bearer (\S+)$|^token (\S+)$/.exec(String(request.headers.authorization ?? ''));
    const grant = match ? this.tokens.get(match[1] ?? match[2]!) : undefined;
    if (!grant) {
      return sendJson(
        response,
        401,
        { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
        BASE_HEADERS,
      );
    }
    const headers = { ...BASE_HEADERS, ...(grant.scopes === null ? {} : { 'x-oauth-scopes': grant.scopes }) };
    if (request.method === 'GET' && route === '/user') {
      return sendJson(response, 200, userBody(grant.login), { ...headers, 'x-accepted-oauth-scopes': '' });
    }
    const org = /^\/orgs\/([^/]+)$/.exec(route)?.[1];
    if (request.method === 'GET' && org) {
      if (!grant.organizations.includes(decodeURIComponent(org))) {
        return sendJson(
          response,
          404,
          {
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest/orgs/orgs#get-an-organization',
            status: '404',
          },
          headers,
        );
      }
      return sendJson(
        response,
        200,
        { ...ORGANIZATION.response, login: org, url: `https://api.github.com/orgs/${org}` },
        headers,
      );
    }
    sendJson(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }, headers);
  }
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
