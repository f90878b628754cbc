import { describe, expect, it } from 'vitest';
import { isDomainError, loadConfig, scrubSecrets } from '@mooring/platform';
import { githubAppFromConfig, githubAppGroup } from './installations.config.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const FULL = {
  GITHUB_APP_ID: '12345',
  GITHUB_APP_SLUG: 'mooring',
  GITHUB_APP_PRIVATE_KEY: PEM,
  GITHUB_APP_WEBHOOK_SECRET: 'a-webhook-secret-of-some-length',
};

const app = (env: Record<string, string>) => githubAppFromConfig(loadConfig({ githubApp: githubAppGroup }, env).githubApp);

describe('the platform GitHub App configuration', () => {
  it('is off when no variable is set', () => {
    expect(app({})).toBeNull();
  });

  it('reads all four, with github.com by default and the webhook secret for the App’s endpoint', () => {
    expect(app(FULL)).toEqual({
      appId: '12345',
      slug: 'mooring',
      privateKey: PEM,
      webhookSecret: FULL.GITHUB_APP_WEBHOOK_SECRET,
      webUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
    });
    expect(
      app({ ...FULL, GITHUB_APP_WEB_URL: 'http://127.0.0.1:4000/', GITHUB_APP_API_URL: 'http://127.0.0.1:4000/api/v3/' }),
    ).toMatchObject({ webUrl: 'http://127.0.0.1:4000', apiUrl: 'http://127.0.0.1:4000/api/v3' });
  });

  it('refuses to boot with an API that is not the REST API of the web URL, naming it', () => {
    for (const [web, api] of [
      ['https://github.com', 'https://ghes.example.com/api/v3'],
      ['https://ghes.example.com', 'https://api.github.com'],
      ['https://ghes.example.com', 'https://ghes.example.com'],
    ]) {
      let thrown: unknown;
      try {
        app({ ...FULL, GITHUB_APP_WEB_URL: web!, GITHUB_APP_API_URL: api! });
      } catch (error) {
        thrown = error;
      }
      expect(isDomainError(thrown, 'CONFIG_INVALID'), `${web} ${api}`).toBe(true);
      expect((thrown as { details: { variables: string[] } }).details.variables).toEqual(['GITHUB_APP_API_URL']);
    }
    expect(
      app({
        ...FULL,
        GITHUB_APP_WEB_URL: 'https://GHES.example.com:443',
        GITHUB_APP_API_URL: 'https://ghes.example.com/api/v3/',
      }),
    ).toMatchObject({ webUrl: 'https://ghes.example.com', apiUrl: 'https://ghes.example.com/api/v3' });
  });

  it.each(Object.keys(FULL))('refuses to boot with %s missing, naming it', (missing) => {
    const env: Record<string, string> = { ...FULL };
    delete env[missing];
    let thrown: unknown;
    try {
      app(env);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown, 'CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toContain(missing);
    expect((thrown as { details: { variables: string[] } }).details.variables).toEqual([missing]);
    expect((thrown as Error).message).not.toContain('MIIEvQ');
  });

  it('refuses a non-numeric App id or a key that is not PEM, without echoing the key', () => {
    expect(() => app({ ...FULL, GITHUB_APP_ID: 'mooring' })).toThrow(/GITHUB_APP_ID/);
    expect(() => app({ ...FULL, GITHUB_APP_PRIVATE_KEY: 'not-a-key-at-all' })).toThrow(/GITHUB_APP_PRIVATE_KEY: must be a PEM/);
    expect(() => app({ ...FULL, GITHUB_APP_PRIVATE_KEY: 'not-a-key-at-all' })).not.toThrow(/not-a-key-at-all/);
  });

  it('registers the key and the webhook secret as secrets, so logs redact them', () => {
    app(FULL);
    expect(scrubSecrets(`key ${PEM} and ${FULL.GITHUB_APP_WEBHOOK_SECRET}`)).not.toContain(FULL.GITHUB_APP_WEBHOOK_SECRET);
    expect(scrubSecrets(`key ${PEM}`)).not.toContain('MIIEvQ');
  });
});
