import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IntegrationConnection, IntegrationDefinition, VerifiedAccount } from '@mooring/integrations';
import { OutboundHttp, type RequestPolicy } from '@mooring/outbound';
import { InstallationRepository, type AuthMethod, type InstallationRecord, type PlatformAppLink } from '@mooring/persistence';
import { DomainError, isDomainError, parseInput } from '@mooring/platform';
import { scheduleInput, type Schedule } from '@mooring/scheduling';
import { z } from 'zod';
import { CredentialStore, type CredentialPayload } from './credential-store.js';
import { BlueprintProvisioner, LiveEventHooks, MappingCheck, ResyncTrigger, type ResyncReason } from './installation-ports.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from './installations.options.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { settingFields } from './settings-form.js';

export interface NewInstalled {
  readonly integration: IntegrationDefinition;
  readonly name: string;
  readonly authMethod: AuthMethod;
  readonly mapping: unknown;
  readonly settings: Readonly<Record<string, string>>;
  readonly schedule?: Schedule;
  readonly maxFetchDrop?: number;
  readonly createdBy: string;
  readonly credential: CredentialPayload;
  /** The provider account of OAuth tokens, when the integration tells. */
  readonly providerAccount?: VerifiedAccount | null;
  /** Authenticated as Mooring's own App: the tool's installation it mints tokens for. */
  readonly platformApp?: PlatformAppLink;
}

/**
 * The steps creating or changing an installation shares between the custom-settings form and the
 * OAuth callback: host checks, live verification, mapping validation, and what follows a save
 * (blueprints, first resync, schedule), through the ports the api binds.
 */
@Injectable()
export class InstallationWorkflow {
  private readonly logger = new Logger('Installations');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly store: CredentialStore,
    private readonly outbound: OutboundHttp,
    private readonly mappings: MappingCheck,
    private readonly blueprints: BlueprintProvisioner,
    private readonly resyncs: ResyncTrigger,
    private readonly liveEvents: LiveEventHooks,
    private readonly lifecycle: InstallationLifecycle,
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
  ) {}

  async validateMapping(integration: IntegrationDefinition, mapping: unknown): Promise<void> {
    if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
      throw new DomainError('VALIDATION_FAILED', 'Invalid mapping: it must be a JSON object', {
        fields: [{ field: 'mapping', message: 'must be a JSON object' }],
      });
    }
    await this.mappings.validate(integration, mapping);
  }

  async assertNameFree(orgId: string, name: string, exceptId?: string): Promise<void> {
    const existing = await this.installations.findByName(orgId, name);
    if (existing && existing.id !== exceptId) {
      throw new DomainError('CONFLICT', `An installation named "${name}" already exists`, { field: 'name', id: existing.id });
    }
  }

  /**
   * The SSRF check of every URL field, when it is saved: the URL, then each address its host
   * resolves to. Returns the settings with those URLs normalised.
   */
  async checkHosts(
    integration: IntegrationDefinition,
    settings: Readonly<Record<string, string>>,
    policy: RequestPolicy,
  ): Promise<Record<string, string>> {
    const checked = { ...settings };
    for (const field of settingFields(integration).filter((candidate) => candidate.type === 'url')) {
      const value = settings[field.name];
      if (!value) continue;
      try {
        checked[field.name] = (await this.outbound.assertAllowed(value, policy)).href.replace(/\/$/, '');
      } catch (error) {
        if (isDomainError(error, 'HOST_NOT_ALLOWED') || isDomainError(error, 'HOST_NOT_FOUND')) {
          throw new DomainError(error.code, error.message, { ...error.details, field: `settings.${field.name}` });
        }
        throw error;
      }
    }
    return checked;
  }

  /** The integration's live call with credentials not stored yet; the account they belong to, when the tool says. */
  async verify(integration: IntegrationDefinition, connection: IntegrationConnection): Promise<VerifiedAccount | null> {
    return (await integration.verifyCredentials(connection)) ?? null;
  }

  /**
   * Saves a verified installation with its sealed credential in one transaction, after creating the
   * default blueprints it needs; then asks for its first resync.
   */
  async install(orgId: string, input: NewInstalled): Promise<InstallationRecord> {
    await this.blueprints.ensureBlueprints(orgId, input.integration.defaultBlueprints);
    const id = randomUUID();
    const credential = await this.store.seal(orgId, id, input.credential);
    const installation = await this.installations.createWithCredential(
      orgId,
      {
        id,
        integrationId: input.integration.id,
        name: input.name,
        authMethod: input.authMethod,
        mapping: input.mapping,
        settings: input.settings,
        ...(input.schedule ? { schedule: input.schedule } : {}),
        ...(input.maxFetchDrop !== undefined ? { maxFetchDrop: input.maxFetchDrop } : {}),
        createdBy: input.createdBy,
        ...(input.providerAccount ? { providerAccount: input.providerAccount } : {}),
        ...(input.platformApp ? { platformApp: input.platformApp } : {}),
      },
      credential,
    );
    await this.lifecycle.installed(installation);
    await this.setUpLiveEvents(installation);
    await this.requestResync(orgId, installation.id, 'installed');
    return installation;
  }

  /**
   * Creates the installation's webhook hook and asks a worker to register it with the tool (at
   * install and with new credentials). A failure leaves live events off, never the install undone.
   */
  async setUpLiveEvents(installation: Pick<InstallationRecord, 'orgId' | 'id' | 'integrationId'>): Promise<void> {
    try {
      await this.liveEvents.installed(installation.orgId, installation.id, installation.integrationId);
    } catch (error) {
      this.logger.error(`could not set up live events of installation ${installation.id}: ${errorMessage(error)}`);
    }
  }

  /**
   * Asks for a resync. The installation is saved by then; if the queue cannot take the request,
   * the schedule runs it later, so the failure is logged rather than undoing the save.
   */
  async requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void> {
    try {
      await this.resyncs.requestResync(orgId, installationId, reason);
    } catch (error) {
      this.logger.error(`could not request a resync (${reason}) of installation ${installationId}: ${errorMessage(error)}`);
    }
  }

  /** A schedule as users write it, checked against the configured shortest interval. */
  parseSchedule(input: unknown): Schedule {
    return parseInput(
      z.object({ schedule: scheduleInput(this.options.scheduleMinIntervalSeconds) }),
      { schedule: input },
      'schedule',
    ).schedule;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
