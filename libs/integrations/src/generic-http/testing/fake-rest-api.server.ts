import { LoopbackServer, sendJson, type RecordedRequest } from '../../toolkit/testing/loopback-server.js';

// A REST API on loopback for the generic integration: the same projects and their issues listed
// with each paging style the integration supports, behind one auth method at a time, with an
// OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4: form body, client_secret_basic).
//   GET /page/projects?page=&per_page=        body: the list
//   GET /offset/projects?offset=&limit=       body: {"data": [...], "more": bool}
//   GET /cursor/projects?cursor=              body: {"results": [...], "meta": {"next_cursor": "…"|null}}
//   GET /next/projects                        body: {"items": [...], "links": {"next": "<url>"|null}}
//   GET /link/projects?page=                  body: the list, Link: <…>; rel="next"
//   GET /projects/:id                         body: the project, or 404 (one item by id)
//   GET /wrapped/projects/:id                 body: {"data": project}, or 404
//   GET /projects/:id/issues                  body: the list (a dependent kind's listing)
//   GET /projects/:id/issues/:id/comments     body: the list (a kind two levels down)
//   POST /search/projects JSON {"filter":"all","page","size"} body: {"hits": [...], "total"} (a search endpoint)
//   POST /search/cursor   JSON {"filter":"all","after"?}      body: {"hits": [...], "after": "…"|null}
//   POST /oauth/token                         {"access_token","token_type":"Bearer","expires_in"}

export type FakeAuth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query'; readonly name: string; readonly key: string }
  | { readonly type: 'oauth2ClientCredentials'; readonly clientId: string; readonly clientSecret: string };

export const PAGE_SIZE = 3;

export function fakeProjects(count: number): { id: number; name: string }[] {
  return Array.from({ length: count }, (_, index) => ({ id: index + 1, name: `project-${index + 1}` }));
}

export function fakeIssues(projectId: number): { id: string; title: string }[] {
  return Array.from({ length: projectId % 3 }, (_, index) => ({
    id: `${projectId}-${index + 1}`,
    title: `Issue ${index + 1} of ${projectId}`,
  }));
}

export function fakeComments(issueId: string): { id: string; body: string }[] {
  return [{ id: `${issueId}-c1`, body: `First comment on ${issueId}` }];
}

export class FakeRestApi {
  /** Access tokens the token endpoint issued. */
  tokensIssued = 0;

  private constructor(
    readonly server: LoopbackServer,
    private readonly state: { auth: FakeAuth; projects: { id: number; name: string }[]; issued: Set<string> },
  ) {}

  static async start(auth: FakeAuth, projects = fakeProjects(7)): Promise<FakeRestApi> {
    const state = { auth, projects, issued: new Set<string>() };
    // The handler needs the instance, which needs the started server.
    const self: { api?: FakeRestApi } = {};
    const server = await LoopbackServer.start((request, response) => {
      const url = new URL(request.url, 'http://fake');
      if (request.method === 'POST' && url.pathname === '/oauth/token') {
        const issued = self.api!.token(request);
        if (!issued) return sendJson(response, 401, { error: 'invalid_client' });
        return sendJson(response, 200, { access_token: issued, token_type: 'Bearer', expires_in: 3600 });
      }
      if (!self.api!.authorized(request, url)) return sendJson(response, 401, { message: 'Unauthorized' });
      if (request.method === 'POST' && url.pathname.startsWith('/search/')) {
        const found = self.api!.search(request, url.pathname);
        return sendJson(response, found.status, found.body);
      }
      const listing = self.api!.listing(url);
      if (!listing) return sendJson(response, 404, { message: 'Not Found' });
      sendJson(response, 200, listing.body, listing.headers ?? {});
    });
    self.api = new FakeRestApi(server, state);
    return self.api;
  }

  get origin(): string {
    return this.server.origin;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Deletes a project at the tool: it leaves the listings and its item route answers 404. */
  removeProject(id: number): void {
    this.state.projects = this.state.projects.filter((project) => project.id !== id);
  }

  private token(request: RecordedRequest): string | undefined {
    const { auth } = this.state;
    if (auth.type !== 'oauth2ClientCredentials') return undefined;
    const form = new URLSearchParams(request.body);
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`;
    if (form.get('grant_type') !== 'client_credentials' || request.headers.authorization !== expected) return undefined;
    const token = `access-${++this.tokensIssued}`;
    this.state.issued.add(token);
    return token;
  }

  private authorized(request: RecordedRequest, url: URL): boolean {
    const { auth } = this.state;
    const header = request.headers.authorization;
    switch (auth.type) {
      case 'bearer':
        return header === `Bearer ${auth.token}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      case 'apiKey':
        return (auth.in === 'header' ? request.headers[auth.name.toLowerCase()] : url.searchParams.get(auth.name)) === auth.key;
      case 'oauth2ClientCredentials':
        return header !== undefined && header.startsWith('Bearer ') && this.state.issued.has(header.slice('Bearer '.length));
    }
  }

  /** A search endpoint: the query and the paging fields in a JSON body, refused (400) without them. */
  private search(request: RecordedRequest, path: string): { status: number; body: unknown } {
    const { projects } = this.state;
    let query: Record<string, unknown>;
    try {
      query = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { message: 'the body must be JSON' } };
    }
    if (!request.headers['content-type']?.startsWith('application/json') || query['filter'] !== 'all')
      return { status: 400, body: { message: 'a JSON body with "filter" is required' } };
    if (path === '/search/projects') {
      const page = query['page'];
      const size = query['size'];
      if (typeof page !== 'number' || typeof size !== 'number')
        return { status: 400, body: { message: '"page" and "size" must be numbers' } };
      return { status: 200, body: { hits: projects.slice((page - 1) * size, page * size), total: projects.length } };
    }
    if (path === '/search/cursor') {
      const start = typeof query['after'] === 'string' ? Number(query['after']) : 0;
      const end = start + PAGE_SIZE;
      return { status: 200, body: { hits: projects.slice(start, end), after: end < projects.length ? String(end) : null } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private listing(url: URL): { body: unknown; headers?: Record<string, string> } | undefined {
    const { projects } = this.state;
    const comments = /^\/projects\/([^/]+)\/issues\/([^/]+)\/comments$/.exec(url.pathname);
    if (comments) {
      const project = projects.find((candidate) => String(candidate.id) === decodeURIComponent(comments[1]!));
      const issue = project && fakeIssues(project.id).find((candidate) => candidate.id === decodeURIComponent(comments[2]!));
      return issue ? { body: fakeComments(issue.id) } : undefined;
    }
    const one = /^\/(wrapped\/)?projects\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const project = projects.find((candidate) => String(candidate.id) === decodeURIComponent(one[2]!));
      return project ? { body: one[1] ? { data: project } : project } : undefined;
    }
    const issues = /^\/projects\/([^/]+)\/issues$/.exec(url.pathname);
    if (issues) {
      const project = projects.find((candidate) => String(candidate.id) === decodeURIComponent(issues[1]!));
      return project ? { body: fakeIssues(project.id) } : undefined;
    }
    const number = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    switch (url.pathname) {
      case '/page/projects': {
        const page = number('page', 1);
        const size = number('per_page', PAGE_SIZE);
        return { body: projects.slice((page - 1) * size, page * size) };
      }
      case '/offset/projects': {
        const offset = number('offset', 0);
        const limit = number('limit', PAGE_SIZE);
        return { body: { data: projects.slice(offset, offset + limit), more: offset + limit < projects.length } };
      }
      case '/cursor/projects': {
        const start = url.searchParams.has('cursor')
          ? Number(Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString())
          : 0;
        const end = start + PAGE_SIZE;
        const next = end < projects.length ? Buffer.from(String(end)).toString('base64url') : null;
        return { body: { results: projects.slice(start, end), meta: { next_cursor: next } } };
      }
      case '/next/projects': {
        const start = number('from', 0);
        const end = start + PAGE_SIZE;
        const next = end < projects.length ? `${this.origin}/next/projects?from=${end}` : null;
        return { body: { items: projects.slice(start, end), links: { next } } };
      }
      case '/link/projects': {
        const page = number('page', 1);
        const last = Math.max(1, Math.ceil(projects.length / PAGE_SIZE));
        const headers: Record<string, string> =
          page < last
            ? {
                link: `<${this.origin}/link/projects?page=${page + 1}>; rel="next", <${this.origin}/link/projects?page=${last}>; rel="last"`,
              }
            : {};
        return { body: projects.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), headers };
      }
      default:
        return undefined;
    }
  }
}
