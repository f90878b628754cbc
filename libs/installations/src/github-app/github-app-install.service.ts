import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import {
  IntegrationRegistry,
  mintAppInstallationToken,
  readAppInstallation,
  type AppInstallationFacts,
} from '@mooring/integrations';
import { OutboundHttp } from '@mooring/outbound';
import {
  ConnectSessionRepository,
  InstallationRepository,
  type ConnectSessionRecord,
  type InstallationRecord,
} from '@mooring/persistence';
import { DomainError, isDomainError, registerSecret, runAsTenant, type TenantContext } from '@mooring/platform';
import type { MintedCredentialToken } from '../credential-store.js';
import { InstallationWorkflow, errorMessage } from '../installation-workflow.js';
import { InstallationLifecycle } from '../lifecycle/installation-lifecycle.js';
import { INSTALLATIONS_OPTIONS, type GithubAppOptions, type InstallationsOptions } from '../installations.options.js';
import { OutboundPolicyService } from '../outbound-policy.service.js';
import {
  GITHUB_APP_SESSION,
  INTERNAL_CODES,
  OAuthConnectService,
  newConnectBinding,
  returnTo,
  sha256,
  type CallbackBrowser,
  type CallbackOutcome,
  type StartedConnect,
} from '../oauth/oauth-connect.service.js';

export interface StartAppInstallInput {
  readonly returnUrl: string;
  readonly name?: string;
  readonly consoleOrigin?: string;
}

export interface AppSetupQuery {
  readonly state?: string;
  readonly installationId?: string;
  readonly setupAction?: string;
}

const NUMERIC_ID = /^[1-9][0-9]{0,18}$/;

/**
 * "Install the GitHub App": Mooring's own GitHub App installed from GitHub. Starting opens a
 * connect session exactly as OAuth connect does (single-use state, 10 minutes, bound to the person
 * and, through an HttpOnly cookie, the browser) and answers GitHub's install page. GitHub sends the
 * browser back to the App's Setup URL with `installation_id`, `setup_action` and the state. The id
 * is trusted only once GitHub, asked with the App's JWT, shows the installation belongs to the App
 * (it reads it and mints a token for it); one GitHub installation belongs to one organization.
 */
@Injectable()
export class GithubAppInstallService {
  private readonly logger = new Logger('GithubAppInstall');

  constructor(
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
    private readonly integrations: IntegrationRegistry,
    private readonly sessions: ConnectSessionRepository,
    private readonly installations: InstallationRepository,
    private readonly vault: Vault,
    private readonly outbound: OutboundHttp,
    private readonly policies: OutboundPolicyService,
    private readonly workflow: InstallationWorkflow,
    private readonly oauth: OAuthConnectService,
    private readonly lifecycle: InstallationLifecycle,
  ) {}

  /** The platform App an integration can be installed as, when configured (the listing and the console say so). */
  appFor(integrationId: string): { readonly slug: string } | null {
    const app = this.options.githubApp;
    return integrationId === 'github' && app ? { slug: app.slug } : null;
  }

  async start(tenant: TenantContext, input: StartAppInstallInput): Promise<StartedConnect> {
    const app = this.app();
    const { orgId } = tenant;
    if (tenant.principal.kind !== 'user') {
      throw new DomainError(
        'FORBIDDEN',
        'Installing the GitHub App is done by a signed-in person in the console; API clients can install with custom settings',
        { reason: 'person_required' },
      );
    }
    const integration = this.integrations.get('github');
    const returnUrl = this.oauth.checkReturnUrl(input.returnUrl, input.consoleOrigin);
    const name = input.name ?? integration.title;
    await this.workflow.assertNameFree(orgId, name);
    const { sessionId, state, browserBinding, stateHash, browserHash, expiresAt } = newConnectBinding();
    await this.sessions.create(orgId, {
      id: sessionId,
      stateHash,
      principalKind: 'user',
      principalId: tenant.principal.id,
      browserHash,
      integrationId: integration.id,
      installationId: null,
      name,
      settings: {},
      returnUrl,
      redirectUri: GITHUB_APP_SESSION,
      // Nothing secret rides on an App install; the envelope keeps the session's shape.
      envelope: await this.vault.seal('{}', { orgId, connectSessionId: sessionId }),
      expiresAt,
    });
    const url = new URL(`${app.webUrl}/apps/${encodeURIComponent(app.slug)}/installations/new`);
    url.searchParams.set('state', state);
    return { authorizationUrl: url.toString(), expiresAt, sessionId, browserBinding };
  }

  /**
   * GitHub's redirect to the Setup URL. Returns where to send the browser: the return URL with
   * `status=success&installationId=…`, `status=pending` (an owner must approve the request) or
   * `status=error&error=<CODE>`. Throws OAUTH_STATE_INVALID when the state matches no App session.
   */
  async complete(query: AppSetupQuery, browser: CallbackBrowser): Promise<CallbackOutcome> {
    if (!query.state) throw new DomainError('OAUTH_STATE_INVALID', 'The redirect has no state parameter');
    const claimed = await this.sessions.claim(sha256(query.state));
    const session = claimed && (await this.sessions.find(claimed.orgId, claimed.id));
    if (!claimed || !session || session.redirectUri !== GITHUB_APP_SESSION) {
      throw new DomainError('OAUTH_STATE_INVALID', 'The state matches no GitHub App installation in progress');
    }
    const principal = (await this.oauth.activeAdmin(session)) ?? {
      kind: session.principalKind,
      id: session.principalId,
      role: 'member',
    };
    const outcome = (values: Record<string, string>): CallbackOutcome => ({
      url: returnTo(session.returnUrl, { method: 'github-app', ...values }),
      sessionId: session.id,
      keepBinding: false,
    });
    return runAsTenant({ orgId: session.orgId, principal }, async () => {
      try {
        if (claimed.reused) throw new DomainError('OAUTH_STATE_REUSED', 'This installation link was already used');
        if (claimed.expired) throw new DomainError('OAUTH_STATE_EXPIRED', 'The installation took too long; start again');
        this.oauth.assertSameBrowserAndPerson(session, browser);
        if (principal.role !== 'admin') {
          throw new DomainError('FORBIDDEN', 'The person who started this installation was removed or is no longer an admin');
        }
        // An organization owner must approve the request on GitHub; GitHub sends no installation id yet.
        if (query.setupAction === 'request') return outcome({ status: 'pending' });
        const installation = await this.finish(session, query);
        return outcome({ status: 'success', installationId: installation.id });
      } catch (error) {
        if (isDomainError(error) && !INTERNAL_CODES.has(error.code)) {
          return outcome({ status: 'error', error: error.code, error_description: error.message });
        }
        const errorId = randomUUID();
        this.logger.error(`installing the GitHub App failed (errorId ${errorId}): ${errorMessage(error)}`);
        return outcome({
          status: 'error',
          error: 'INTERNAL',
          error_description: `Installing failed (error ${errorId}); try again`,
        });
      }
    });
  }

  private async finish(session: ConnectSessionRecord, query: AppSetupQuery): Promise<InstallationRecord> {
    const { orgId } = session;
    const app = this.app();
    const externalId = query.installationId ?? '';
    if (!NUMERIC_ID.test(externalId)) {
      throw new DomainError('APP_INSTALLATION_NOT_FOUND', 'GitHub sent no valid installation id; nothing was connected');
    }
    const integration = this.integrations.get(session.integrationId);
    // `update` (repositories changed, or unsuspended) for an installation this organization has: no duplicate, go to it.
    const existing = await this.installations.findByPlatformApp(orgId, integration.id, externalId);
    if (existing) {
      if (existing.state !== 'needs_reauth') return existing;
      // Access was withdrawn (suspended); GitHub proving the installation again restores it.
      await this.prove(orgId, app, externalId);
      await this.lifecycle.accessRestored(orgId, existing.id);
      return (await this.installations.find(orgId, existing.id)) ?? existing;
    }

    const { facts, minted } = await this.prove(orgId, app, externalId);
    const mapping = integration.defaultMapping;
    await this.workflow.validateMapping(integration, mapping);
    return this.workflow.install(orgId, {
      integration,
      name: session.name ?? integration.title,
      authMethod: 'custom_settings',
      mapping,
      settings: {
        ...(app.webUrl === 'https://github.com' ? {} : { host: app.webUrl }),
        appId: app.appId,
        installationId: externalId,
      },
      createdBy: session.principalId,
      // The platform key stays in the service's configuration; tokens are minted from it when due.
      credential: { kind: 'settings', secrets: {}, minted },
      providerAccount: { id: facts.account.login, name: facts.account.login },
      platformApp: { externalId, account: facts.account },
    });
  }

  /** GitHub, asked with the App's JWT, must know the installation as the App's and mint a token for it. */
  private async prove(
    orgId: string,
    app: GithubAppOptions,
    installationId: string,
  ): Promise<{ facts: AppInstallationFacts; minted: MintedCredentialToken }> {
    const signal = AbortSignal.timeout(30_000);
    const request = {
      apiBase: app.apiUrl,
      appId: app.appId,
      privateKey: app.privateKey,
      installationId,
      fetch: this.outbound.fetchFor(await this.policies.forOrganization(orgId), signal),
      signal,
    };
    const facts = await readAppInstallation(request);
    if (!facts) {
      throw new DomainError(
        'APP_INSTALLATION_NOT_FOUND',
        `GitHub does not know installation ${installationId} of Mooring’s App; nothing was connected`,
      );
    }
    const obtainedAt = new Date().toISOString();
    try {
      const minted = await mintAppInstallationToken(request);
      registerSecret(minted.token, { runtime: true });
      // Kept with the credential, so the first sync does not mint again.
      return { facts, minted: { ...minted, obtainedAt } };
    } catch (error) {
      if (isDomainError(error, 'CREDENTIALS_INVALID')) {
        throw new DomainError(
          'APP_INSTALLATION_NOT_FOUND',
          `GitHub refused a token for installation ${installationId}; nothing was connected`,
          {
            status: error.details['status'],
          },
        );
      }
      throw error;
    }
  }

  private app(): GithubAppOptions {
    const app = this.options.githubApp;
    if (!app) {
      throw new DomainError(
        'APP_NOT_CONFIGURED',
        'This Mooring has no GitHub App (GITHUB_APP_* is not set); connect GitHub with OAuth or a token',
      );
    }
    return app;
  }
}
