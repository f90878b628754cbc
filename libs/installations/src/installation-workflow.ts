import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import type { IntegrationConnection, IntegrationDefinition, VerifiedAccount } from '@mooring/integrations';
import { OutboundHttp, type RequestPolicy } from '@mooring/outbound';
import { InstallationRepository, type AuthMethod, type InstallationRecord } from '@mooring/persistence';
import { DomainError, isDomainError, parseInput } from '@mooring/platform';
import { scheduleInput, type Schedule } from '@mooring/scheduling';
import { z } from 'zod';
import { CredentialStore, type CredentialPayload } from './credential-store.js';
import {
  BLUEPRINT_PROVISIONER,
  MAPPING_VALIDATOR,
  RESYNC_TRIGGER,
  SCHEDULE_CONTROL,
  type BlueprintProvisioner,
  type MappingValidator,
  type ResyncReason,
  type ResyncTrigger,
  type ScheduleControl,
} from './installation-hooks.js';
import { INSTALLATIONS_OPTIONS, type InstallationsOptions } from './installations.options.js';
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
}

/**
 * The steps creating or changing an installation shares between the custom-settings form and the
 * OAuth callback: host checks, live verification, mapping validation, and what follows a save
 * (blueprints, first resync, schedule), through the hooks the application wired.
 */
@Injectable()
export class InstallationWorkflow implements OnModuleInit {
  private readonly logger = new Logger('Installations');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly store: CredentialStore,
    private readonly outbound: OutboundHttp,
    @Optional() @Inject(MAPPING_VALIDATOR) private readonly mappings: MappingValidator | null,
    @Optional() @Inject(BLUEPRINT_PROVISIONER) private readonly blueprints: BlueprintProvisioner | null,
    @Optional() @Inject(RESYNC_TRIGGER) private readonly resyncs: ResyncTrigger | null,
    @Optional() @Inject(SCHEDULE_CONTROL) private readonly schedules: ScheduleControl | null,
    @Inject(INSTALLATIONS_OPTIONS) private readonly options: InstallationsOptions,
  ) {}

  onModuleInit(): void {
    const missing = [
      !this.mappings && 'mapping validation (mappings are only checked to be JSON objects)',
      !this.blueprints && 'blueprint provisioning (default blueprints are not created)',
      !this.resyncs && 'resync requests (no resync is enqueued after installing or changing an installation)',
      !this.schedules && 'schedule control (schedules are not paused, resumed or removed)',
    ].filter(Boolean);
    if (missing.length) this.logger.warn(`Installations run without: ${missing.join('; ')}`);
  }

  async validateMapping(integration: IntegrationDefinition, mapping: unknown): Promise<void> {
    if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
      throw new DomainError('VALIDATION_FAILED', 'Invalid mapping: it must be a JSON object', {
        fields: [{ field: 'mapping', message: 'must be a JSON object' }],
      });
    }
    await this.mappings?.validate(integration, mapping);
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
    await this.blueprints?.ensureBlueprints(orgId, input.integration.defaultBlueprints);
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
      },
      credential,
    );
    await this.resumeSchedule(orgId, installation.id);
    await this.requestResync(orgId, installation.id, 'installed');
    return installation;
  }

  /**
   * Asks for a resync. The installation is saved by then; if the queue cannot take the request,
   * the schedule runs it later, so the failure is logged rather than undoing the save.
   */
  async requestResync(orgId: string, installationId: string, reason: ResyncReason): Promise<void> {
    try {
      await this.resyncs?.requestResync(orgId, installationId, reason);
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

  // Schedule changes follow a saved change. Should the queue be unreachable, the scheduler's
  // reconciliation at boot and its ticks (which drop schedules of installations that cannot sync)
  // converge on PostgreSQL, so a failure is logged rather than undoing the save.

  async pauseSchedule(orgId: string, installationId: string): Promise<void> {
    await this.scheduleChange('pause', installationId, () => this.schedules?.pause(orgId, installationId));
  }

  async resumeSchedule(orgId: string, installationId: string): Promise<void> {
    await this.scheduleChange('resume', installationId, () => this.schedules?.resume(orgId, installationId));
  }

  async removeSchedule(orgId: string, installationId: string): Promise<void> {
    await this.scheduleChange('remove', installationId, () => this.schedules?.remove(orgId, installationId));
  }

  private async scheduleChange(action: string, installationId: string, change: () => Promise<void> | undefined): Promise<void> {
    try {
      await change();
    } catch (error) {
      this.logger.error(`could not ${action} the schedule of installation ${installationId}: ${errorMessage(error)}`);
    }
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
