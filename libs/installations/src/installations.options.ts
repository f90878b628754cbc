export const INSTALLATIONS_OPTIONS = Symbol('INSTALLATIONS_OPTIONS');
/** The mapping engine's ExpressionEvaluator (null where the process has none). */
export const EXPRESSION_EVALUATOR = Symbol('EXPRESSION_EVALUATOR');

/** An OAuth application at a provider: Mooring's own, or an organization's for its self-hosted instance. */
export interface OAuthClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Mooring's own GitHub App, which organizations install from GitHub (GITHUB_APP_*). */
export interface GithubAppOptions {
  readonly appId: string;
  readonly slug: string;
  /** PEM; signs the App's JWTs. Never copied into an installation's credentials. */
  readonly privateKey: string;
  /** Signs the App's webhook deliveries. */
  readonly webhookSecret: string;
  /** Where people install it: `${webUrl}/apps/${slug}/installations/new`. */
  readonly webUrl: string;
  /** Its REST API root (https://api.github.com). */
  readonly apiUrl: string;
}

export interface InstallationsOptions {
  /** Mooring's OAuth applications by integration id (connecting, and refreshing tokens). */
  readonly oauthClients: Readonly<Record<string, OAuthClientCredentials>>;
  /** Where connect flows return; only the api, which serves the callback, has it. */
  readonly oauthConnect?: {
    /** The exact redirect URI registered with every provider: this api's /v1/oauth/callback. */
    readonly redirectUrl: string;
    /** Origins the web app may ask to be sent back to after connecting (exact match). */
    readonly returnUrlOrigins: readonly string[];
  };
  /** The shortest resync interval users may pick (5 minutes; tests lower it). */
  readonly scheduleMinIntervalSeconds?: number;
  /** Refresh an OAuth access token when it expires within this long (or half its lifetime, if shorter). */
  readonly refreshMarginSeconds?: number;
  /** INTEGRATIONS_FAKE_ENABLED: the fake tool is on offer (demos and tests only). */
  readonly fakeEnabled?: boolean;
  /** Mooring's own GitHub App, when configured (GITHUB_APP_*). */
  readonly githubApp?: GithubAppOptions;
}
