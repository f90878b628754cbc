import { Inject, Injectable } from '@nestjs/common';
import {
  IntegrationRegistry,
  type ExpressionEvaluator,
  type IntegrationConnection,
  type IntegrationDefinition,
} from '@mooring/integrations';
import { OutboundHttp, type RequestPolicy } from '@mooring/outbound';
import { InstallationRepository, ResponseCacheRepository, type InstallationRecord } from '@mooring/persistence';
import { DomainError } from '@mooring/platform';
import { RedisSemaphore } from '@mooring/queue';
import { CredentialStore, type MintedCredentialToken } from './credential-store.js';
import { EXPRESSION_EVALUATOR } from './installations.options.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { MintedTokens } from './minted-tokens.service.js';
import { OAuthTokens } from './oauth/oauth-tokens.service.js';
import { OutboundPolicyService } from './outbound-policy.service.js';
import { settingFields } from './settings-form.js';
import { StoredResponseCache } from './stored-response-cache.js';

/**
 * Builds the `IntegrationConnection` integration code runs with: the installation's settings, its
 * token (an OAuth token refreshed when due), a fetch bound to the SSRF guard and the organization's
 * policy, the run's abort signal, the installation's conditional-request cache, per-credential caps
 * shared by every process (Redis), and the way to report that the tool refused the credentials (the
 * lifecycle's needs_reauth: audited, schedule paused), and the mapping engine's evaluators for
 * settings that hold expressions. The sync worker gets its connections here.
 */
@Injectable()
export class IntegrationConnections {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly integrations: IntegrationRegistry,
    private readonly store: CredentialStore,
    private readonly tokens: OAuthTokens,
    private readonly minted: MintedTokens,
    private readonly outbound: OutboundHttp,
    private readonly policies: OutboundPolicyService,
    private readonly responses: ResponseCacheRepository,
    private readonly lifecycle: InstallationLifecycle,
    private readonly sharedConcurrency: RedisSemaphore,
    @Inject(EXPRESSION_EVALUATOR) private readonly expressions: ExpressionEvaluator | null,
  ) {}

  async forInstallation(
    orgId: string,
    installationId: string,
    signal: AbortSignal = neverAborted(),
  ): Promise<IntegrationConnection> {
    const installation = await this.installations.find(orgId, installationId);
    if (!installation) {
      throw new DomainError('NOT_FOUND', `Installation ${installationId} was not found`, {
        resource: 'installation',
        id: installationId,
      });
    }
    return this.forRecord(installation, signal);
  }

  /** The same, for an installation the caller has just read (as a sync run has). */
  async forRecord(installation: InstallationRecord, signal: AbortSignal = neverAborted()): Promise<IntegrationConnection> {
    const { orgId, id: installationId } = installation;
    const integration = this.integrations.get(installation.integrationId);
    const policy = await this.policies.forOrganization(orgId);
    let settingsToken: Promise<string> | undefined;
    const fetch = this.outbound.fetchFor(policy, signal);
    const minting = installation.authMethod === 'custom_settings' && integration.auth.mintedTokens?.uses(installation.settings);
    return {
      settings: installation.settings,
      authMethod: installation.authMethod,
      // Minted tokens change hourly; the tool counts the quota per installation.
      ...(minting ? { quotaKey: `installation:${installationId}` } : {}),
      fetch,
      signal,
      responseCache: new StoredResponseCache(this.responses, orgId, installationId),
      sharedConcurrency: this.sharedConcurrency,
      ...(this.expressions ? { expressions: this.expressions } : {}),
      runKey: {},
      credentialsRejected: (reason) =>
        this.lifecycle.credentialsRefused(
          orgId,
          installationId,
          `${installation.integrationId} refused the credentials: ${reason}`,
        ),
      accessToken: () => {
        if (installation.state !== 'active') {
          return Promise.reject(
            new DomainError(
              'REAUTH_REQUIRED',
              `Installation "${installation.name}" needs new credentials: ${installation.stateReason}`,
              {
                installationId,
                state: installation.state,
              },
            ),
          );
        }
        if (installation.authMethod === 'oauth2') return this.tokens.accessToken(installation, integration, policy);
        if (minting) return this.minted.accessToken(installation, integration, fetch, signal);
        settingsToken ??= this.store.read(orgId, installationId).then((read) => {
          if (!read || read.payload.kind !== 'settings') {
            throw new DomainError('REAUTH_REQUIRED', `Installation "${installation.name}" has no stored credentials`, {
              installationId,
            });
          }
          return primarySecret(integration, read.payload.secrets);
        });
        return settingsToken;
      },
    };
  }

  /** A connection for credentials not stored yet, to verify them before anything is saved. */
  forCandidate(
    settings: Readonly<Record<string, string>>,
    token: string,
    policy: RequestPolicy,
    signal: AbortSignal = AbortSignal.timeout(30_000),
    authMethod: IntegrationConnection['authMethod'] = 'custom_settings',
  ): IntegrationConnection {
    return {
      settings,
      authMethod,
      fetch: this.outbound.fetchFor(policy, signal),
      signal,
      ...(this.expressions ? { expressions: this.expressions } : {}),
      accessToken: () => Promise.resolve(token),
    };
  }

  /**
   * The token a custom-settings form gives: its token field, or one minted from its secrets (a
   * GitHub App), then kept with the credential so the first run does not mint again.
   */
  async candidateToken(
    integration: IntegrationDefinition,
    settings: Readonly<Record<string, string>>,
    secrets: Readonly<Record<string, string>>,
    policy: RequestPolicy,
  ): Promise<{ token: string; minted?: MintedCredentialToken }> {
    const method = integration.auth.mintedTokens;
    if (!method?.uses(settings)) return { token: primarySecret(integration, secrets) };
    const signal = AbortSignal.timeout(30_000);
    const obtainedAt = new Date().toISOString();
    const minted = await method.mint({ settings, secrets, fetch: this.outbound.fetchFor(policy, signal), signal });
    return { token: minted.token, minted: { ...minted, obtainedAt } };
  }
}

/** The secret `accessToken()` returns for custom settings: the `token` field, or the only sensitive field. */
export function primarySecret(integration: IntegrationDefinition, secrets: Readonly<Record<string, string>>): string {
  const sensitive = settingFields(integration).filter((field) => field.sensitive);
  const field = sensitive.find((candidate) => candidate.name === 'token') ?? (sensitive.length === 1 ? sensitive[0] : undefined);
  const value = field && secrets[field.name];
  if (!value) throw new DomainError('INTERNAL', `${integration.id} has no single token field for accessToken()`);
  return value;
}

function neverAborted(): AbortSignal {
  return new AbortController().signal;
}
