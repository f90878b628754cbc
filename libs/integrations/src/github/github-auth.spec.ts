import { describe, expect, it } from 'vitest';
import { githubApiBase, githubOAuth2, githubWebOrigin } from './github-auth.js';

describe('GitHub auth URLs', () => {
  it.each([
    [{}, 'https://github.com', 'https://api.github.com'],
    [{ host: 'https://github.com' }, 'https://github.com', 'https://api.github.com'],
    [{ host: 'https://api.github.com/' }, 'https://github.com', 'https://api.github.com'],
    [{ host: 'https://ghe.example.com' }, 'https://ghe.example.com', 'https://ghe.example.com/api/v3'],
    [{ host: 'https://ghe.example.com:8443/' }, 'https://ghe.example.com:8443', 'https://ghe.example.com:8443/api/v3'],
  ])('for settings %j: web %s, API %s', (settings, web, api) => {
    expect(githubWebOrigin(settings)).toBe(web);
    expect(githubApiBase(settings)).toBe(api);
  });

  it('authorizes and exchanges on the instance’s own /login/oauth, with PKCE and the scopes the kinds need', () => {
    expect(githubOAuth2.authorizationUrl({})).toBe('https://github.com/login/oauth/authorize');
    expect(githubOAuth2.tokenUrl({ host: 'https://ghe.example.com' })).toBe('https://ghe.example.com/login/oauth/access_token');
    expect(githubOAuth2).toMatchObject({
      scopes: ['repo', 'read:org'],
      pkce: true,
      extraAuthorizationParams: { allow_signup: 'false' },
    });
  });
});
