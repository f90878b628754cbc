import type { FakeGithub } from '@mooring/integrations/testing';
import { LoopbackServer } from '@mooring/integrations/testing';
import type { OAuthProvider } from './oauth-provider.js';

/**
 * One GitHub Enterprise Server origin on loopback, as the browser and the api see it: its OAuth
 * pages (`/login/oauth/authorize`, `/login/oauth/access_token`) answered by the test OAuth server,
 * its REST API (`/api/v3`) by the fake GitHub, which accepts every access token the OAuth server issues.
 */
export async function startGithubEnterpriseFront(provider: OAuthProvider, github: FakeGithub): Promise<LoopbackServer> {
  return LoopbackServer.start(async (request, response) => {
    const url = new URL(request.url, 'http://front');
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      response.writeHead(302, { location: `${provider.issuer}/authorize${url.search}` });
      response.end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const answer = await fetch(`${provider.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        },
        body: request.body,
      });
      const text = await answer.text();
      if (answer.ok) {
        const token = (JSON.parse(text) as { access_token?: string }).access_token;
        if (token) github.addToken(token, { login: 'octo-admin', scopes: 'repo, read:org', organizations: ['acme'] });
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(text);
      return;
    }
    const upstream = await fetch(`${github.host}${url.pathname}${url.search}`, {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
        ),
      ),
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
    });
    const headers: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'content-length') headers[name] = value;
    });
    // GitHub's Link headers name its own origin: rewrite them to this one.
    if (headers['link']) headers['link'] = headers['link'].replaceAll(github.host, `http://${request.headers.host}`);
    const body = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, headers);
    response.end(body);
  });
}
