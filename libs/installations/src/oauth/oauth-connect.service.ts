import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import { IntegrationRegistry, type IntegrationDefinition, type VerifiedAccount } from '@mooring/integrations';
import {
  ApiClientRepository,
  ConnectSessionRepository,
  InstallationRepository,
  UserRepository,
  type ConnectSessionRecord,
  type InstallationRecord,
} from '@mooring/persistence';
import {
  DomainError,
  isDomainError,
  registerSecret,
  runAsTenant,
  type ErrorCode,
  type Principal,
  type TenantContext,
} from '@mooring/platform';
import { CredentialStore } from '../credential-store.js';
import { InstallationWorkflow, errorMessage } from '../installation-workflow.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions, type OAuthClientCredentials } from '../installations.options.js';
import { IntegrationConnections } from '../integration-connections.js';
import { InstallationLifecycle } from '../lifecycle/installation-lifecycle.js';
import { credentialsReplaced } from '../lifecycle/installation-states.js';
import { OutboundPolicyService } from '../outbound-policy.service.js';
import { parseSettings, settingFields } from '../settings-form.js';
import { OAuthEndpoints } from './oauth-endpoints.js';
import { TokenEndpointError, buildAuthorizationUrl, exchangeCode, type TokenSet } from './oauth-provider-client.js';
import { nextCredential } from './oauth-tokens.service.js';
import type { OAuth2Credential } from '../credential-store.js';

/** Marks a connect session as a GitHub App install (its `redirectUri`): the OAuth callback refuses it, and that flow refuses OAuth's. */
export const GITHUB_APP_SESSION = 'github-app:setup';

/** A connect session expires this long after it is opened (RFC 9700: short-lived, single-use state). */
export const CONNECT_SESSION_TTL_MS = 10 * 60_000;

export interface StartConnectInput {
  readonly integrationId: string;
  readonly returnUrl: string;
  readonly name?: string;
  /** Reconnect this OAuth installation (e.g. one that needs re-authorization) instead of creating one. */
  readonly installationId?: string;
  /** Non-secret settings, e.g. a GitHub Enterprise host and an organization filter. */
  readonly settings?: unknown;
  /** The organization's own OAuth application, required for a self-hosted instance. */
  readonly oauthClient?: OAuthClientCredentials;
  /** The origin the console was reached at (where this request came from): always a valid return origin. */
  readonly consoleOrigin?: string;
}

export interface StartedConnect {
  readonly authorizationUrl: string;
  readonly expiresAt: Date;
  readonly sessionId: string;
  /**
   * The value of the HttpOnly cookie the caller must set in the browser before sending it to the
   * provider (`connectCookieName(sessionId)`): the callback requires it back. Only its hash is stored.
   */
  readonly browserBinding: string;
}

/** What the browser that reaches the callback brings: its connect cookie and who is signed in there. */
export interface CallbackBrowser {
  binding(sessionId: string): string | undefined;
  readonly person: TenantContext | undefined;
}

/** Where to send the browser after the callback, and whether its connect cookie is still needed. */
export interface CallbackOutcome {
  readonly url: string;
  readonly sessionId: string;
  /** True while a changed provider account waits for confirmation (the confirm call needs the cookie). */
  readonly keepBinding: boolean;
}

/** The browser-binding cookie of a connect session. */
export const connectCookieName = (sessionId: string) => `mooring_connect_${sessionId.replace(/-/g, '')}`;

export interface CallbackQuery {
  readonly state?: string;
  readonly code?: string;
  readonly error?: string;
  /** The issuer of the authorization response (RFC 9207), from providers that send it. */
  readonly iss?: string;
}

/**
 * What sealed in a connect session: the PKCE verifier, and the organization's own client if any;
 * then, while a changed provider account waits for confirmation, the new credential.
 */
interface SessionSecrets {
  readonly codeVerifier: string | null;
  readonly client: OAuthClientCredentials | null;
  readonly pendingCredential?: OAuth2Credential;
  /** Settings the token response decided that differ from the installation's (applied on confirmation). */
  readonly pendingSettings?: Record<string, string>;
}

type Finished =
  | { readonly kind: 'installed'; readonly installation: InstallationRecord }
  | { readonly kind: 'confirm'; readonly installation: InstallationRecord; readonly account: VerifiedAccount };

// Failures of Mooring itself: the browser learns only an error id, the log has the cause.
export const INTERNAL_CODES = new Set<ErrorCode>([
  'INTERNAL',
  'TENANT_CONTEXT_MISSING',
  'CONFIG_INVALID',
  'DEPENDENCY_UNAVAILABLE',
  'CREDENTIALS_UNREADABLE',
]);

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A new connect session's id, single-use state and browser-binding cookie value (only their hashes are stored). */
export function newConnectBinding() {
  const state = randomBytes(32).toString('base64url');
  const browserBinding = randomBytes(32).toString('base64url');
  registerSecret(browserBinding, { runtime: true });
  return {
    sessionId: randomUUID(),
    state,
    browserBinding,
    stateHash: sha256(state),
    browserHash: sha256(browserBinding),
    expiresAt: new Date(Date.now() + CONNECT_SESSION_TTL_MS),
  };
}

/**
 * The OAuth authorization-code flow of installations (passport-oauth2 for the protocol). Starting
 * opens a connect session bound to the organization, the API client, the integration and an
 * allow-listed return URL, with PKCE S256 and a single-use state that expires in 10 minutes. The
 * callback claims the session by its state, exchanges the code, verifies the tokens with a live
 * call, stores them encrypted and sends the browser back to the return URL with the outcome.
 */
@Injectable()
export class OAuthConnectService {
  private readonly logger = new Logger('OAuthConnect');

  constructor(
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
    private readonly integrations: IntegrationRegistry,
    private readonly endpoints: OAuthEndpoints,
    private readonly sessions: ConnectSessionRepository,
    private readonly installations: InstallationRepository,
    private readonly apiClients: ApiClientRepository,
    private readonly users: UserRepository,
    private readonly vault: Vault,
    private readonly store: CredentialStore,
    private readonly connections: IntegrationConnections,
    private readonly policies: OutboundPolicyService,
    private readonly workflow: InstallationWorkflow,
    private readonly lifecycle: InstallationLifecycle,
  ) {}

  /** Whether Mooring has its own OAuth application for the integration (the public service). */
  hasMooringClient(integration: { readonly id: string }): boolean {
    return this.endpoints.platformClient(integration) !== null;
  }

  /**
   * Opens a connect session for a signed-in person. An API client has no browser for the provider
   * to send back, and a flow not bound to one can be finished in someone else's: refused.
   */
  async start(tenant: TenantContext, input: StartConnectInput): Promise<StartedConnect> {
    const { orgId } = tenant;
    if (tenant.principal.kind !== 'user') {
      throw new DomainError(
        'FORBIDDEN',
        'Connecting with OAuth is done by a signed-in person in the console; API clients can install with custom settings',
        { reason: 'person_required' },
      );
    }
    const integration = this.integrations.forField(input.integrationId);
    this.endpoints.method(integration);
    const returnUrl = this.checkReturnUrl(input.returnUrl, input.consoleOrigin);
    if (input.oauthClient) registerSecret(input.oauthClient.clientSecret, { runtime: true });

    let name: string;
    let settings: Record<string, string>;
    let ownClient = input.oauthClient ?? null;
    if (input.installationId) {
      const existing = await this.reconnectable(orgId, input.installationId, integration.id);
      if (input.settings !== undefined || input.name !== undefined) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'A reconnect keeps the installation’s name and settings; change them with PATCH',
          {
            fields: [{ field: input.settings !== undefined ? 'settings' : 'name', message: 'is not accepted when reconnecting' }],
          },
        );
      }
      name = existing.name;
      settings = { ...existing.settings };
      ownClient ??= await this.storedOwnClient(orgId, existing.id);
    } else {
      name = input.name ?? integration.title;
      await this.workflow.assertNameFree(orgId, name);
      settings = parseSettings(settingFields(integration), input.settings, { only: (field) => !field.sensitive }).settings;
    }

    const policy = await this.policies.forOrganization(orgId);
    const checked = await this.workflow.checkHosts(integration, settings, policy);
    const selfHosted = settingFields(integration).some((field) => field.type === 'url' && checked[field.name]);
    const client = ownClient ?? (selfHosted ? null : this.endpoints.platformClient(integration));
    if (!client) {
      throw new DomainError(
        'VALIDATION_FAILED',
        selfHosted
          ? 'A self-hosted instance needs its own OAuth application: pass oauthClient.clientId and oauthClient.clientSecret'
          : `Mooring has no OAuth application for ${integration.title}; pass oauthClient`,
        { fields: [{ field: 'oauthClient', message: 'is required' }] },
      );
    }
    const endpoint = this.endpoints.endpoint(integration, checked, client, policy);
    if (!endpoint.redirectUrl) throw new DomainError('CONFIG_INVALID', 'OAUTH_REDIRECT_URL is not configured');
    const { sessionId, state, browserBinding, stateHash, browserHash, expiresAt } = newConnectBinding();
    const authorizationUrl = await buildAuthorizationUrl(endpoint, state, async (codeVerifier) => {
      const secrets: SessionSecrets = { codeVerifier, client: ownClient };
      await this.sessions.create(orgId, {
        id: sessionId,
        stateHash,
        principalKind: 'user',
        principalId: tenant.principal.id,
        browserHash,
        integrationId: integration.id,
        installationId: input.installationId ?? null,
        name,
        settings: checked,
        returnUrl,
        redirectUri: endpoint.redirectUrl,
        envelope: await this.vault.seal(JSON.stringify(secrets), sessionContext(orgId, sessionId)),
        expiresAt,
      });
    });
    return { authorizationUrl, expiresAt, sessionId, browserBinding };
  }

  /**
   * Handles the provider's redirect. Returns where to send the browser: the session's return URL
   * with `status=success&installationId=…`, `status=confirm&connectSessionId=…` (a reconnect that
   * brought another provider account), or `status=error&error=<CODE>&error_description=…`. Nothing
   * is exchanged unless the callback reached the browser that started connecting (its connect
   * cookie) with the same person signed in. Throws OAUTH_STATE_INVALID when the state matches no
   * session (there is nowhere safe to send the browser then).
   */
  async complete(query: CallbackQuery, browser: CallbackBrowser): Promise<CallbackOutcome> {
    if (!query.state) throw new DomainError('OAUTH_STATE_INVALID', 'The callback has no state parameter');
    const claimed = await this.sessions.claim(sha256(query.state));
    if (!claimed) throw new DomainError('OAUTH_STATE_INVALID', 'The state matches no connect session');
    const session = await this.sessions.find(claimed.orgId, claimed.id);
    if (!session || session.redirectUri === GITHUB_APP_SESSION)
      throw new DomainError('OAUTH_STATE_INVALID', 'The state matches no connect session');
    const principal = (await this.activeAdmin(session)) ?? {
      kind: session.principalKind,
      id: session.principalId,
      role: 'member',
    };
    const tenant: TenantContext = { orgId: session.orgId, principal };
    const outcome = (url: string, keepBinding = false): CallbackOutcome => ({ url, sessionId: session.id, keepBinding });
    return runAsTenant(tenant, async () => {
      try {
        if (claimed.reused) throw new DomainError('OAUTH_STATE_REUSED', 'This authorization response was already used');
        if (claimed.expired) throw new DomainError('OAUTH_STATE_EXPIRED', 'The connect session expired; start connecting again');
        this.assertSameBrowserAndPerson(session, browser);
        if (principal.role !== 'admin') {
          throw new DomainError('FORBIDDEN', 'The person who started this connection was removed or is no longer an admin');
        }
        const finished = await this.finish(session, query, query.state!);
        if (finished.kind === 'confirm') {
          const previous = finished.installation.providerAccount;
          return outcome(
            returnTo(session.returnUrl, {
              status: 'confirm',
              error: 'OAUTH_ACCOUNT_CHANGED',
              connectSessionId: session.id,
              installationId: finished.installation.id,
              account: finished.account.name,
              ...(previous ? { previousAccount: previous.name } : {}),
            }),
            true,
          );
        }
        return outcome(returnTo(session.returnUrl, { status: 'success', installationId: finished.installation.id }));
      } catch (error) {
        if (isDomainError(error) && !INTERNAL_CODES.has(error.code)) {
          return outcome(returnTo(session.returnUrl, { status: 'error', error: error.code, error_description: error.message }));
        }
        const errorId = randomUUID();
        this.logger.error(`connecting ${session.integrationId} failed (errorId ${errorId}): ${errorMessage(error)}`);
        return outcome(
          returnTo(session.returnUrl, {
            status: 'error',
            error: 'INTERNAL',
            error_description: `Connecting failed (error ${errorId}); try again`,
          }),
        );
      }
    });
  }

  /**
   * Applies a reconnect that brought another provider account, once the person who started it
   * confirms, from the browser that started it, before the session expires.
   */
  async confirmAccountChange(tenant: TenantContext, sessionId: string, browser: CallbackBrowser): Promise<InstallationRecord> {
    const { orgId } = tenant;
    const session = await this.sessions.find(orgId, sessionId);
    if (!session?.pendingAccount || !session.installationId) {
      throw new DomainError('NOT_FOUND', `No account change waits for confirmation in connect session ${sessionId}`, {
        resource: 'connect_session',
        id: sessionId,
      });
    }
    if (session.confirmedAt) throw new DomainError('OAUTH_STATE_REUSED', 'This account change was already confirmed');
    this.assertSameBrowserAndPerson(session, { ...browser, person: tenant });
    if (session.expiresAt.getTime() <= Date.now()) {
      throw new DomainError('OAUTH_STATE_EXPIRED', 'The account change was not confirmed in time; reconnect again');
    }
    const secrets = JSON.parse(await this.vault.open(session.envelope, sessionContext(orgId, session.id))) as SessionSecrets;
    if (!secrets.pendingCredential || !(await this.sessions.confirm(orgId, session.id))) {
      throw new DomainError('OAUTH_STATE_REUSED', 'This account change was already confirmed');
    }
    return this.reconnect(
      orgId,
      session.installationId,
      secrets.pendingCredential,
      session.pendingAccount,
      secrets.pendingSettings,
    );
  }

  /** A connect session for the person who started it (others get NOT_FOUND), with the installation it reconnects. */
  async describe(tenant: TenantContext, sessionId: string) {
    const session = await this.sessions.find(tenant.orgId, sessionId);
    if (!session || session.principalId !== tenant.principal.id) {
      throw new DomainError('NOT_FOUND', `Connect session ${sessionId} was not found`, {
        resource: 'connect_session',
        id: sessionId,
      });
    }
    const installation = session.installationId ? await this.installations.find(tenant.orgId, session.installationId) : null;
    const expired = session.expiresAt.getTime() <= Date.now();
    const status = session.confirmedAt
      ? 'confirmed'
      : session.pendingAccount
        ? expired
          ? 'expired'
          : 'awaiting_confirmation'
        : session.consumedAt
          ? 'finished'
          : expired
            ? 'expired'
            : 'open';
    return { session, installation, status } as const;
  }

  /** The connect cookie must come back from the browser, with the person who started connecting signed in there. */
  assertSameBrowserAndPerson(session: ConnectSessionRecord, browser: CallbackBrowser): void {
    const binding = browser.binding(session.id);
    if (!session.browserHash || !binding || sha256(binding) !== session.browserHash) {
      throw new DomainError(
        'OAUTH_BROWSER_MISMATCH',
        'This connection was started in another browser; nothing was connected. Start connecting again from the console',
        { reason: 'browser' },
      );
    }
    const person = browser.person;
    if (
      !person ||
      person.orgId !== session.orgId ||
      person.principal.kind !== 'user' ||
      person.principal.id !== session.principalId
    ) {
      throw new DomainError(
        'OAUTH_BROWSER_MISMATCH',
        'This connection was started by someone else; nothing was connected. Sign in as that person, or start connecting again',
        { reason: 'person' },
      );
    }
  }

  /**
   * RFC 9207: an authorization response naming another issuer came from another authorization
   * server (a mix-up attack); its code must not be sent to this provider's token endpoint.
   */
  private assertIssuer(integration: IntegrationDefinition, session: ConnectSessionRecord, iss: string | undefined): void {
    if (iss !== undefined && iss !== this.endpoints.issuer(integration, session.settings)) {
      throw new DomainError(
        'OAUTH_ISSUER_MISMATCH',
        'The authorization response did not come from the provider this connection started with; nothing was connected',
      );
    }
  }

  /** Who started connecting, if they may still: an admin person (or, for older sessions, an admin API client). */
  async activeAdmin(session: ConnectSessionRecord): Promise<Principal | null> {
    if (session.principalKind === 'user') {
      const user = await this.users.find(session.orgId, session.principalId);
      return user?.role === 'admin' ? { kind: 'user', id: user.id, role: 'admin', name: user.email } : null;
    }
    const client = await this.apiClients.findActive(session.orgId, session.principalId);
    return client?.role === 'admin' ? { kind: 'api_client', id: session.principalId, role: 'admin', name: client.name } : null;
  }

  private async finish(session: ConnectSessionRecord, query: CallbackQuery, state: string): Promise<Finished> {
    const { orgId } = session;
    const integration = this.integrations.get(session.integrationId);
    this.assertIssuer(integration, session, query.iss);
    // The provider's own words (error, error_description) never reach the return URL: our code does.
    if (query.error) {
      this.logger.warn(`the provider refused connecting ${session.integrationId}: ${oauthErrorName(query.error)}`);
      if (query.error === 'access_denied') throw new DomainError('OAUTH_ACCESS_DENIED', 'Access was denied at the provider');
      throw new DomainError('OAUTH_EXCHANGE_FAILED', 'The provider did not authorize the connection; start connecting again');
    }
    if (!query.code) throw new DomainError('OAUTH_EXCHANGE_FAILED', 'The provider sent no authorization code');

    const secrets = JSON.parse(await this.vault.open(session.envelope, sessionContext(orgId, session.id))) as SessionSecrets;
    const client = secrets.client ?? this.endpoints.platformClient(integration);
    if (!client) throw new DomainError('CONFIG_INVALID', `No OAuth client is configured for ${integration.id}`);
    const policy = await this.policies.forOrganization(orgId);
    const endpoint = this.endpoints.endpoint(integration, session.settings, client, policy);
    if (this.endpoints.redirectUrl !== session.redirectUri) {
      throw new DomainError('OAUTH_EXCHANGE_FAILED', 'The redirect URI changed since this connection started; start again');
    }
    let tokens: TokenSet;
    try {
      tokens = await exchangeCode(endpoint, { code: query.code, state }, (provided) =>
        sha256(provided) === session.stateHash ? { verifier: secrets.codeVerifier ?? true } : null,
      );
    } catch (error) {
      if (error instanceof TokenEndpointError) {
        this.logger.warn(
          `exchanging a code of ${session.integrationId} failed: ${oauthErrorName(error.code ?? `HTTP ${error.status}`)}`,
        );
        throw new DomainError(
          'OAUTH_EXCHANGE_FAILED',
          error.refused
            ? 'The provider did not accept the authorization code; start connecting again'
            : 'The provider’s token endpoint could not be reached; try again later',
        );
      }
      throw error;
    }
    registerSecret(tokens.accessToken, { runtime: true });
    if (tokens.refreshToken) registerSecret(tokens.refreshToken, { runtime: true });
    const decided = settingsFromTokens(integration, tokens, client);
    const settings = { ...session.settings, ...decided };
    const account = await this.workflow.verify(
      integration,
      this.connections.forCandidate(settings, tokens.accessToken, policy, undefined, 'oauth2'),
    );
    const credential = nextCredential(null, tokens, secrets.client);

    if (session.installationId) {
      const existing = await this.installations.find(orgId, session.installationId);
      if (!existing) throw deletedWhileReconnecting(session.installationId);
      const previous = existing.providerAccount;
      const changedSettings = Object.entries(decided).some(([name, value]) => existing.settings[name] !== value)
        ? { ...existing.settings, ...decided }
        : undefined;
      if (previous && account && previous.id !== account.id) {
        // Another account's tokens would sync another account's data into this installation: ask first.
        const pending: SessionSecrets = {
          ...secrets,
          pendingCredential: credential,
          ...(changedSettings ? { pendingSettings: changedSettings } : {}),
        };
        const sealed = await this.vault.seal(JSON.stringify(pending), sessionContext(orgId, session.id));
        await this.sessions.park(orgId, session.id, {
          envelope: sealed,
          account,
          expiresAt: new Date(Date.now() + CONNECT_SESSION_TTL_MS),
        });
        return { kind: 'confirm', installation: existing, account };
      }
      return {
        kind: 'installed',
        installation: await this.reconnect(orgId, existing.id, credential, previous ? undefined : account, changedSettings),
      };
    }
    const mapping = integration.defaultMapping;
    await this.workflow.validateMapping(integration, mapping);
    const installation = await this.workflow.install(orgId, {
      integration,
      name: session.name ?? integration.title,
      authMethod: 'oauth2',
      mapping,
      settings,
      createdBy: session.principalId,
      credential,
      providerAccount: account,
    });
    return { kind: 'installed', installation };
  }

  /**
   * Stores new tokens for an installation (and its account, and settings the token response
   * decided, when those change), then resumes and resyncs it.
   */
  private async reconnect(
    orgId: string,
    installationId: string,
    credential: OAuth2Credential,
    account: VerifiedAccount | null | undefined,
    settings?: Record<string, string>,
  ): Promise<InstallationRecord> {
    const sealed = await this.store.seal(orgId, installationId, credential);
    const before = await this.installations.find(orgId, installationId);
    const saved =
      before &&
      (await this.installations.replaceCredential(
        orgId,
        installationId,
        sealed,
        { ...(account ? { providerAccount: account } : {}), ...(settings ? { settings } : {}) },
        credentialsReplaced(),
      ));
    if (!before || !saved) throw deletedWhileReconnecting(installationId);
    await this.lifecycle.changed(before, saved.installation, saved.transition);
    await this.workflow.setUpLiveEvents(saved.installation);
    await this.workflow.requestResync(orgId, saved.installation.id, 'credentials_rotated');
    return saved.installation;
  }

  /** A reconnect reuses the organization's own OAuth application, if its credentials still open. */
  private async storedOwnClient(orgId: string, installationId: string): Promise<OAuthClientCredentials | null> {
    try {
      const stored = await this.store.read(orgId, installationId);
      return stored?.payload.kind === 'oauth2' ? stored.payload.client : null;
    } catch (error) {
      if (isDomainError(error, 'CREDENTIALS_UNREADABLE')) return null;
      throw error;
    }
  }

  private async reconnectable(orgId: string, installationId: string, integrationId: string): Promise<InstallationRecord> {
    const existing = await this.installations.find(orgId, installationId);
    if (!existing) {
      throw new DomainError('NOT_FOUND', `Installation ${installationId} was not found`, {
        resource: 'installation',
        id: installationId,
      });
    }
    if (existing.integrationId !== integrationId || existing.authMethod !== 'oauth2') {
      throw new DomainError('VALIDATION_FAILED', 'Only an OAuth installation of the same integration can be reconnected', {
        fields: [{ field: 'installationId', message: 'is not an OAuth installation of this integration' }],
      });
    }
    return existing;
  }

  /** The return URL must be on the console's origin or an allow-listed one (exact scheme, host and port). */
  checkReturnUrl(returnUrl: string, consoleOrigin: string | undefined): string {
    let url: URL | undefined;
    try {
      url = new URL(returnUrl);
    } catch {
      url = undefined;
    }
    const origins = [...(consoleOrigin ? [consoleOrigin] : []), ...(this.options.oauthConnect?.returnUrlOrigins ?? [])];
    if (!url || url.username || url.password || !origins.includes(url.origin)) {
      throw new DomainError('VALIDATION_FAILED', 'The return URL is not on an allowed origin', {
        fields: [{ field: 'returnUrl', message: `must start with one of: ${origins.join(', ') || '(none configured)'}` }],
      });
    }
    url.hash = '';
    return url.toString();
  }
}

/**
 * The settings the integration reads from the token response (PagerDuty's region): only its plain
 * non-sensitive settings, so nothing a host check or the vault should see arrives this way.
 */
function settingsFromTokens(
  integration: IntegrationDefinition,
  tokens: TokenSet,
  client: OAuthClientCredentials,
): Record<string, string> {
  const method = integration.auth.oauth2;
  if (!method?.settingsFromTokenResponse) return {};
  const decided = method.settingsFromTokenResponse(tokens.response, { clientId: client.clientId });
  const plain = new Set(
    settingFields(integration)
      .filter((field) => !field.sensitive && field.type === 'string')
      .map((field) => field.name),
  );
  for (const name of Object.keys(decided)) {
    if (!plain.has(name))
      throw new Error(`${integration.id} decided setting "${name}" from a token response: not a plain setting`);
  }
  return { ...decided };
}

function deletedWhileReconnecting(installationId: string): DomainError {
  return new DomainError('NOT_FOUND', 'The installation being reconnected was deleted', {
    resource: 'installation',
    id: installationId,
  });
}

function sessionContext(orgId: string, connectSessionId: string) {
  return { orgId, connectSessionId };
}

/** An OAuth error name for a log line: RFC 6749 names are short ASCII; anything else is not repeated. */
function oauthErrorName(value: string): string {
  return /^[\x21-\x7e]{1,64}$/.test(value) ? value : '(an unrecognised error)';
}

export function returnTo(returnUrl: string, outcome: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(outcome)) url.searchParams.set(key, value);
  return url.toString();
}
