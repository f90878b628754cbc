import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  IntegrationRegistry,
  type HookRegistration,
  type IntegrationConnection,
  type JsonObject,
  type LiveEventsDefinition,
} from '@mooring/integrations';
import { InstallationRepository, LiveEventRepository, type HookRecord } from '@mooring/persistence';
import { DomainError, isDomainError } from '@mooring/platform';
import { LiveEventQueue } from '@mooring/queue';
import { HookSecrets, newHookId, randomToken, type HookSecretSet } from './hook-secrets.js';
import {
  LIVE_EVENTS_PLATFORM_APPS,
  LIVE_EVENTS_OPTIONS,
  type PlatformApps,
  type LiveEventsOptions,
} from './live-events.options.js';

/** An installation's live events as people see them (never a secret). */
export interface HookView {
  readonly supported: boolean;
  /** The installation's own hook, or Mooring's App webhook (an installation of Mooring's App: no URL or secret of its own). */
  readonly deliveredThrough: 'installation-hook' | 'mooring-app';
  /** Mooring registers the webhook with the tool; otherwise the user gives the tool its URL and secret. */
  readonly registersItself: boolean;
  readonly hookUrl: string | null;
  readonly status: 'on' | 'off';
  readonly statusReason: string | null;
  readonly registeredAt: Date | null;
  readonly expiresAt: Date | null;
  readonly secretRotatedAt: Date | null;
  /** Until then the secret before the last rotation is still accepted. */
  readonly previousSecretValidUntil: Date | null;
}

/** A rotation's answer: the secret only when the user, not Mooring, gives it to the tool. */
export interface RotatedHook {
  readonly hook: HookView;
  readonly secret?: string;
}

const REGISTERING = 'registering the webhook with the tool';
const WITHOUT_REGISTRATION = 'the tool delivers without registration: give it the hook URL and secret';
const THROUGH_APP = 'deliveries arrive through Mooring’s GitHub App webhook: there is nothing to set up';
const APP_WEBHOOK_MISSING =
  'this Mooring’s GitHub App has no webhook secret (GITHUB_APP_WEBHOOK_SECRET), so its deliveries are not received: ask your operator';

/**
 * Each installation's hook: created at install with a generated secret (sealed), registered with
 * the tool by a worker (`register` job: the api never waits on the tool), registered again on
 * reconnect and after a rotation, renewed before it expires, removed at uninstall. A registration
 * that fails leaves the installation working without live events, saying why, until retried.
 */
@Injectable()
export class HookRegistrations {
  private readonly logger = new Logger('LiveEventHooks');

  constructor(
    private readonly hooks: LiveEventRepository,
    private readonly installations: InstallationRepository,
    private readonly secrets: HookSecrets,
    private readonly integrations: IntegrationRegistry,
    private readonly queue: LiveEventQueue,
    @Inject(LIVE_EVENTS_OPTIONS) private readonly options: LiveEventsOptions,
    @Inject(LIVE_EVENTS_PLATFORM_APPS) private readonly platformApps: PlatformApps,
  ) {}

  /** At install (and reconnect): the hook exists, and a worker registers it with the tool. */
  async installed(orgId: string, installationId: string, integrationId: string): Promise<void> {
    const live = this.integrations.find(integrationId)?.liveEvents;
    if (!live) return;
    const registers = await this.registers(orgId, installationId, live);
    const existing = await this.hooks.hook(orgId, installationId);
    if (!existing) {
      const envelope = await this.secrets.seal(orgId, installationId, { current: randomToken() });
      await this.hooks.saveHook(
        orgId,
        installationId,
        { hookId: newHookId(), envelope },
        registers ? { status: 'off', statusReason: REGISTERING } : { status: 'on', statusReason: WITHOUT_REGISTRATION },
      );
    }
    if (registers) await this.requestRegistration(orgId, installationId);
  }

  /** Queues registering the hook again (a retry after a failure, a reconnect, a rotated secret). */
  async requestRegistration(orgId: string, installationId: string): Promise<void> {
    const installation = await this.installations.find(orgId, installationId);
    const live = installation && this.integrations.find(installation.integrationId)?.liveEvents;
    if (!live || !registersFor(live, installation.settings)) return;
    await this.hooks.saveHook(orgId, installationId, null, { status: 'off', statusReason: REGISTERING });
    await this.queue
      .add('register', { orgId, installationId })
      .catch((error: Error) => this.logger.warn(`registration not queued: ${error.message}`));
  }

  /**
   * Worker: registers the hook with the tool (removing a previous registration first). A refusal is
   * recorded on the hook (live events off, and why), never thrown: the installation keeps syncing.
   * `oauthClientSecret`: the organization's own OAuth client secret the installation connected
   * with, kept sealed with the hook when the tool signs deliveries with it (null: the platform's
   * client; undefined: unchanged).
   */
  async register(
    orgId: string,
    installationId: string,
    integrationId: string,
    connection: IntegrationConnection,
    oauthClientSecret?: string | null,
  ): Promise<HookView> {
    const live = this.integrations.get(integrationId).liveEvents;
    const hook = await this.hooks.hook(orgId, installationId);
    if (!live?.register || !hook || !registersFor(live, connection.settings)) {
      return this.view(hook, live, live ? await this.registers(orgId, installationId, live) : false);
    }
    const secrets = await this.secrets.open(orgId, installationId, hook.envelope);
    try {
      if (hook.registration && live.unregister) {
        await live.unregister(connection, this.registrationOf(hook, secrets)).catch((error: Error) => {
          this.logger.warn(`previous webhook of installation ${installationId} not removed: ${error.message}`);
        });
      }
      const registration = await live.register(connection, { url: this.hookUrl(hook.hookId), secret: secrets.current });
      const signing = withOAuthClientSecret(secrets, live.signedWithOAuthClient ? oauthClientSecret : null);
      return this.view(await this.saveRegistration(orgId, installationId, signing, registration), live, true);
    } catch (error) {
      const reason = isDomainError(error) ? error.message : `the tool refused the registration: ${(error as Error).message}`;
      this.logger.warn(`live events of installation ${installationId} are off: ${reason}`);
      const saved = await this.hooks.saveHook(orgId, installationId, null, {
        status: 'off',
        statusReason: reason,
        registration: null,
        registeredAt: null,
        expiresAt: null,
      });
      return this.view(saved, live, true);
    }
  }

  /** Worker: extends a registration that expires soon (Jira's webhooks last 30 days). `oauthClientSecret` as for `register`. */
  async renew(
    orgId: string,
    installationId: string,
    integrationId: string,
    connection: IntegrationConnection,
    oauthClientSecret?: string | null,
  ): Promise<void> {
    const live = this.integrations.get(integrationId).liveEvents;
    const hook = await this.hooks.hook(orgId, installationId);
    if (!live || !hook?.registration) return;
    const secrets = await this.secrets.open(orgId, installationId, hook.envelope);
    if (!live.renew) {
      await this.register(orgId, installationId, integrationId, connection, oauthClientSecret);
      return;
    }
    try {
      const renewed = await live.renew(connection, this.registrationOf(hook, secrets));
      const signing = withOAuthClientSecret(secrets, live.signedWithOAuthClient ? oauthClientSecret : null);
      await this.saveRegistration(orgId, installationId, signing, renewed);
    } catch (error) {
      await this.hooks.saveHook(orgId, installationId, null, {
        status: 'off',
        statusReason: `renewing the webhook failed: ${(error as Error).message}`,
        // Not tried again until someone retries: a refusal repeats.
        expiresAt: null,
      });
    }
  }

  /**
   * A new secret; the previous one stays valid for the overlap (deliveries signed before the tool
   * learns the new one), audited. Then the hook is registered again with the new secret. Without
   * registration the new secret is handed back this once (never audited, logged or shown again).
   */
  async rotate(orgId: string, installationId: string, integrationId: string): Promise<RotatedHook> {
    await this.refuseThroughApp(orgId, installationId, 'rotate');
    const live = this.integrations.get(integrationId).liveEvents;
    const hook = await this.hooks.hook(orgId, installationId);
    if (!live || !hook) throw new DomainError('NOT_FOUND', 'This installation has no live events', { resource: 'hook' });
    const secrets = await this.secrets.open(orgId, installationId, hook.envelope);
    // The tool's OAuth client still signs (Jira): rotating Mooring's secret does not change that.
    const rotated: HookSecretSet = withOAuthClientSecret(
      { current: randomToken(), previous: secrets.current },
      secrets.oauthClientSecret,
    );
    const previousUntil = new Date(Date.now() + this.options.rotationOverlapSeconds * 1000);
    const saved = await this.hooks.saveHook(
      orgId,
      installationId,
      null,
      { envelope: await this.secrets.seal(orgId, installationId, rotated), previousUntil, secretRotated: true },
      {
        action: 'installation.webhook_secret_rotated',
        targetType: 'installation',
        targetId: installationId,
        details: { previousSecretValidUntil: previousUntil.toISOString() },
      },
    );
    if (!(await this.registers(orgId, installationId, live)))
      return { hook: this.view(saved, live, false), secret: rotated.current };
    await this.requestRegistration(orgId, installationId);
    return { hook: this.view(await this.hooks.hook(orgId, installationId), live, true) };
  }

  /** A person asks to register the hook again (after fixing what made it fail): the view once it is queued. */
  async registerAgain(orgId: string, installationId: string, integrationId: string): Promise<HookView> {
    await this.refuseThroughApp(orgId, installationId, 'register');
    await this.installed(orgId, installationId, integrationId);
    return this.status(orgId, installationId, integrationId);
  }

  /** At uninstall: removes the webhook from the tool, if it can; a failure does not stop the uninstall. */
  async removing(orgId: string, installationId: string, integrationId: string, connect: () => Promise<IntegrationConnection>) {
    const live = this.integrations.find(integrationId)?.liveEvents;
    const hook = await this.hooks.hook(orgId, installationId);
    if (!live?.unregister || !hook?.registration) return;
    try {
      const secrets = await this.secrets.open(orgId, installationId, hook.envelope);
      await live.unregister(await connect(), this.registrationOf(hook, secrets));
    } catch (error) {
      this.logger.warn(`webhook of installation ${installationId} not removed from the tool: ${(error as Error).message}`);
    }
  }

  async status(orgId: string, installationId: string, integrationId: string): Promise<HookView> {
    const live = this.integrations.find(integrationId)?.liveEvents;
    if (live && (await this.installations.platformApp(orgId, installationId))) return this.appView(integrationId);
    const registers = live ? await this.registers(orgId, installationId, live) : false;
    return this.view(await this.hooks.hook(orgId, installationId), live, registers);
  }

  /** Mooring's App has one webhook, set on the App: its installations have no hook URL or secret to hand out or register. */
  private async refuseThroughApp(orgId: string, installationId: string, action: 'rotate' | 'register'): Promise<void> {
    if (!(await this.installations.platformApp(orgId, installationId))) return;
    const none = action === 'rotate' ? 'no webhook secret of its own to rotate' : 'no webhook of its own to register';
    throw new DomainError(
      'HOOK_MANAGED_BY_APP',
      `This installation’s deliveries arrive through Mooring’s GitHub App webhook: it has ${none}; nothing was changed`,
      { installationId },
    );
  }

  private appView(integrationId: string): HookView {
    const received = this.platformApps[integrationId] !== undefined;
    return {
      supported: true,
      deliveredThrough: 'mooring-app',
      registersItself: false,
      hookUrl: null,
      status: received ? 'on' : 'off',
      statusReason: received ? THROUGH_APP : APP_WEBHOOK_MISSING,
      registeredAt: null,
      expiresAt: null,
      secretRotatedAt: null,
      previousSecretValidUntil: null,
    };
  }

  /** Whether Mooring registers this installation's webhook with the tool (not for a GitHub App's installations). */
  private async registers(orgId: string, installationId: string, live: LiveEventsDefinition): Promise<boolean> {
    if (!live.register) return false;
    if (!live.registersFor) return true;
    const installation = await this.installations.find(orgId, installationId);
    return installation !== null && registersFor(live, installation.settings);
  }

  hookUrl(hookId: string): string {
    return `${this.options.publicUrl.replace(/\/$/, '')}/v1/hooks/${hookId}`;
  }

  private async saveRegistration(orgId: string, installationId: string, secrets: HookSecretSet, registration: HookRegistration) {
    const withToolSecret: HookSecretSet = registration.secret
      ? { ...secrets, registrationSecret: registration.secret }
      : {
          current: secrets.current,
          ...(secrets.previous ? { previous: secrets.previous } : {}),
          ...(secrets.oauthClientSecret ? { oauthClientSecret: secrets.oauthClientSecret } : {}),
        };
    return this.hooks.saveHook(orgId, installationId, null, {
      envelope: await this.secrets.seal(orgId, installationId, withToolSecret),
      status: 'on',
      statusReason: null,
      registration: registration.reference,
      registeredAt: new Date(),
      expiresAt: registration.expiresAt ?? null,
      secretRotated: true,
    });
  }

  private registrationOf(hook: HookRecord, secrets: HookSecretSet): HookRegistration {
    return {
      reference: (hook.registration ?? {}) as JsonObject,
      ...(secrets.registrationSecret ? { secret: secrets.registrationSecret } : {}),
      ...(hook.expiresAt ? { expiresAt: hook.expiresAt } : {}),
    };
  }

  private view(hook: HookRecord | null, live: LiveEventsDefinition | undefined, registers: boolean): HookView {
    if (!live || !hook) {
      return {
        supported: Boolean(live),
        deliveredThrough: 'installation-hook',
        registersItself: registers,
        hookUrl: null,
        status: 'off',
        statusReason: live ? 'the webhook is not set up yet' : 'this integration has no live events',
        registeredAt: null,
        expiresAt: null,
        secretRotatedAt: null,
        previousSecretValidUntil: null,
      };
    }
    return {
      supported: true,
      deliveredThrough: 'installation-hook',
      registersItself: registers,
      hookUrl: this.hookUrl(hook.hookId),
      status: hook.status,
      statusReason: hook.statusReason,
      registeredAt: hook.registeredAt,
      expiresAt: hook.expiresAt,
      secretRotatedAt: hook.secretRotatedAt,
      previousSecretValidUntil: hook.previousUntil && hook.previousUntil > new Date() ? hook.previousUntil : null,
    };
  }
}

/** The secrets with the OAuth client secret set (a string), removed (null) or as they were (undefined). */
function withOAuthClientSecret(secrets: HookSecretSet, oauthClientSecret: string | null | undefined): HookSecretSet {
  if (oauthClientSecret === undefined) return secrets;
  const { oauthClientSecret: _previous, ...rest } = secrets;
  return oauthClientSecret ? { ...rest, oauthClientSecret } : rest;
}

function registersFor(live: LiveEventsDefinition, settings: Readonly<Record<string, string>>): boolean {
  return live.register !== undefined && (live.registersFor?.(settings) ?? true);
}
