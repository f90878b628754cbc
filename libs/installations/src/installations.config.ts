import { z } from 'zod';
import { DomainError, envVar, flag, positiveInt, registerSecret, url } from '@mooring/platform';
import { githubApiBase } from '@mooring/integrations';
import { DEFAULT_MAX_RESPONSE_BYTES, type OutboundOptions } from '@mooring/outbound';
import type { GithubAppOptions, InstallationsOptions, OAuthClientCredentials } from './installations.options.js';

// Configuration of installations, composed into the apps' config (README lists every variable).

export const schedulingGroup = {
  minIntervalSeconds: envVar('SCHEDULE_MIN_INTERVAL_SECONDS', positiveInt().max(86_400).default(300), {
    description: 'Shortest resync interval users may pick (default 5 minutes); lowered only by tests',
  }),
};

const demoToolOrigin = z
  .url()
  .refine((value) => /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(value.replace(/\/$/, '')), 'must be http://127.0.0.1:<port>')
  .transform((value) => new URL(value).origin);

export const outboundGroup = {
  allowLoopbackForTests: envVar('UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS', flag().default(false), {
    description: 'Lets integrations reach 127.0.0.1 and ::1, for tests against local fakes. Never set it in production',
  }),
  maxResponseBytes: envVar('OUTBOUND_MAX_RESPONSE_BYTES', positiveInt().min(65_536).default(DEFAULT_MAX_RESPONSE_BYTES), {
    description:
      'Largest response body a tool may send (bytes, after decompression); a larger page fails its kind with UPSTREAM_RESPONSE_TOO_LARGE',
  }),
  demoToolOrigin: envVar('DEMO_TOOL_ORIGIN', demoToolOrigin.optional(), {
    description:
      'The loopback origin of the demo tool npm start runs (http://127.0.0.1:<port>): installations may reach exactly it, over http',
  }),
};

const oauthClients = z
  .string()
  .transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON: {"github":{"clientId":"…","clientSecret":"…"}}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) })));

export const oauthClientsGroup = {
  clients: envVar('OAUTH_CLIENTS', oauthClients.default({}), {
    description: 'Mooring’s OAuth applications by integration id, as JSON {"github":{"clientId","clientSecret"}}',
    sensitive: true,
  }),
};

const origins = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url().refine((origin) => new URL(origin).origin === origin, 'each must be an origin: scheme://host[:port]')));

export const oauthConnectGroup = {
  redirectUrl: envVar('OAUTH_REDIRECT_URL', z.url().default('http://127.0.0.1:3000/v1/oauth/callback'), {
    description:
      'The exact OAuth redirect URI registered with providers: this api’s /v1/oauth/callback as the browser reaches it',
  }),
  returnUrlOrigins: envVar('OAUTH_RETURN_URL_ORIGINS', origins.default([]), {
    description: 'Comma-separated origins the web app may be sent back to after connecting',
  }),
};

// Mooring's own GitHub App (the "Install the GitHub App" flow): all four or none. The URLs point the
// flow at a fake GitHub in tests.
export const githubAppGroup = {
  appId: envVar(
    'GITHUB_APP_ID',
    z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/, 'must be the App’s numeric id')
      .optional(),
    {
      description:
        'Mooring’s GitHub App: its numeric App id (set all of GITHUB_APP_ID, _SLUG, _PRIVATE_KEY, _WEBHOOK_SECRET, or none)',
    },
  ),
  slug: envVar(
    'GITHUB_APP_SLUG',
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'must be the App’s URL slug')
      .optional(),
    {
      description: 'Mooring’s GitHub App: its slug, as in https://github.com/apps/<slug>',
    },
  ),
  privateKey: envVar(
    'GITHUB_APP_PRIVATE_KEY',
    z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional(),
    {
      description: 'Mooring’s GitHub App: the private key GitHub generated (PEM), which signs the App’s JWTs',
      sensitive: true,
    },
  ),
  webhookSecret: envVar('GITHUB_APP_WEBHOOK_SECRET', z.string().min(16, 'must be at least 16 characters').optional(), {
    description: 'Mooring’s GitHub App: the webhook secret set on the App, which signs its deliveries',
    sensitive: true,
  }),
  webUrl: envVar('GITHUB_APP_WEB_URL', url(['https', 'http']).default('https://github.com'), {
    description: 'Where people install Mooring’s GitHub App (default https://github.com; a fake GitHub in tests)',
  }),
  apiUrl: envVar('GITHUB_APP_API_URL', url(['https', 'http']).default('https://api.github.com'), {
    description:
      'The REST API of GITHUB_APP_WEB_URL (default https://api.github.com; https://HOST/api/v3 on GitHub Enterprise Server, checked at boot)',
  }),
};

type GithubAppConfig = { readonly [K in keyof typeof githubAppGroup]: z.output<(typeof githubAppGroup)[K]['schema']> };

/**
 * The platform GitHub App, or null when none is configured. A partial configuration is a boot
 * error naming each missing variable: half an App would fail only when someone tries to install it.
 */
export function githubAppFromConfig(config: GithubAppConfig): GithubAppOptions | null {
  const required = {
    GITHUB_APP_ID: config.appId,
    GITHUB_APP_SLUG: config.slug,
    GITHUB_APP_PRIVATE_KEY: config.privateKey,
    GITHUB_APP_WEBHOOK_SECRET: config.webhookSecret,
  };
  const missing = Object.entries(required)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length === 4) return null;
  if (missing.length) {
    throw new DomainError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  ${missing.map((name) => `${name}: is required when any GITHUB_APP_* variable is set`).join('\n  ')}`,
      {
        variables: missing,
      },
    );
  }
  registerSecret(config.privateKey!);
  registerSecret(config.webhookSecret!);
  const webUrl = new URL(config.webUrl).origin;
  const apiUrl = normalizedApiBase(config.apiUrl);
  // The App's installations keep its web origin as their host, and its webhook routes only to
  // installations whose host gives its API: another API would leave every delivery unrouted.
  const expectedApi = githubApiBase({ host: webUrl });
  if (apiUrl !== expectedApi) {
    throw new DomainError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  GITHUB_APP_API_URL: must be ${expectedApi}, the REST API of GITHUB_APP_WEB_URL`,
      { variables: ['GITHUB_APP_API_URL'] },
    );
  }
  return {
    appId: config.appId!,
    slug: config.slug!,
    privateKey: config.privateKey!,
    webhookSecret: config.webhookSecret!,
    webUrl,
    apiUrl,
  };
}

/**
 * An API base URL as installations' hosts are compared with it: scheme, lower-case host, the port
 * unless it is the scheme's default, and the path without a trailing slash.
 */
function normalizedApiBase(apiUrl: string): string {
  const parsed = new URL(apiUrl);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/** The platform Apps' webhooks by integration id: the secret that signs deliveries, the API they come from (none when no App is configured). */
export function platformAppsFromConfig(config: {
  readonly githubApp: GithubAppConfig;
}): Readonly<Record<string, { readonly webhookSecret: string; readonly apiBase: string }>> {
  const app = githubAppFromConfig(config.githubApp);
  return app ? { github: { webhookSecret: app.webhookSecret, apiBase: app.apiUrl } } : {};
}

export function outboundOptionsFromConfig(config: {
  allowLoopbackForTests: boolean;
  maxResponseBytes: number;
  demoToolOrigin?: string | undefined;
}): OutboundOptions {
  return {
    allowLoopback: config.allowLoopbackForTests,
    maxResponseBytes: config.maxResponseBytes,
    ...(config.demoToolOrigin ? { demoToolOrigin: config.demoToolOrigin } : {}),
  };
}

export function installationsOptionsFromConfig(config: {
  oauthClients: { clients: Readonly<Record<string, OAuthClientCredentials>> };
  integrations?: { fakeEnabled: boolean };
  oauthConnect?: { redirectUrl: string; returnUrlOrigins: readonly string[] };
  scheduling?: { minIntervalSeconds: number };
  githubApp?: GithubAppConfig;
}): InstallationsOptions {
  const githubApp = config.githubApp ? githubAppFromConfig(config.githubApp) : null;
  // OAUTH_CLIENTS is redacted as a whole; each client secret must be too.
  for (const client of Object.values(config.oauthClients.clients)) registerSecret(client.clientSecret);
  return {
    oauthClients: config.oauthClients.clients,
    ...(config.oauthConnect ? { oauthConnect: config.oauthConnect } : {}),
    ...(config.scheduling ? { scheduleMinIntervalSeconds: config.scheduling.minIntervalSeconds } : {}),
    ...(config.integrations ? { fakeEnabled: config.integrations.fakeEnabled } : {}),
    ...(githubApp ? { githubApp } : {}),
  };
}
