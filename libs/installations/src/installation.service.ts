import { Injectable } from '@nestjs/common';
import {
  IntegrationRegistry,
  pageItems,
  withInstallationKinds,
  type JsonObject,
  type IntegrationDefinition,
  type SettingField,
} from '@mooring/integrations';
import {
  InstallationRepository,
  type InstallationChanges,
  type InstallationRecord,
  type NewCredential,
} from '@mooring/persistence';
import { DomainError, isDomainError, type TenantContext } from '@mooring/platform';
import type { RequestPolicy } from '@mooring/outbound';
import { CredentialStore, type MintedCredentialToken } from './credential-store.js';
import { platformAppConnection, type PlatformAppConnection } from './github-app/platform-app-connection.js';
import { InstallationEntityCleaner, LiveEventHooks } from './installation-ports.js';
import { InstallationWorkflow } from './installation-workflow.js';
import { IntegrationConnections } from './integration-connections.js';
import { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
import { credentialsReplaced } from './lifecycle/installation-states.js';
import { OAuthTokens } from './oauth/oauth-tokens.service.js';
import { OutboundPolicyService } from './outbound-policy.service.js';
import { parseSettings, settingFields } from './settings-form.js';

export interface CreateInstallationInput {
  readonly integrationId: string;
  readonly name: string;
  readonly settings: unknown;
  readonly mapping?: unknown;
  /** As users write it (`{"every":"1h"}` or a cron with a time zone); hourly when absent. */
  readonly schedule?: unknown;
  /** The drop in a resource's fetch count (0 to 1) beyond which deletion is refused; 0.5 when absent. */
  readonly maxFetchDrop?: number;
}

export interface UpdateInstallationInput {
  readonly name?: string;
  readonly enabled?: boolean;
  readonly mapping?: unknown;
  /** Changed fields only; sensitive ones rotate the credentials, an empty value clears an optional field. */
  readonly settings?: unknown;
  readonly schedule?: unknown;
  readonly maxFetchDrop?: number;
}

export interface DeletedInstallation {
  readonly id: string;
  /** How many entities were deleted with it; null when they were kept. */
  readonly entitiesDeleted: number | null;
}

/**
 * Installations with custom settings (a token and a host), and what every installation supports:
 * listing, reading, renaming, enabling, mapping changes, credential rotation and deletion.
 * Nothing is stored until the host passed the SSRF guard and the credentials a live call.
 */
const TRIAL_ITEMS = 20;
const TRIAL_BYTES = 256 * 1024;
const TRIAL_TIMEOUT_MS = 30_000;

@Injectable()
export class InstallationService {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly integrations: IntegrationRegistry,
    private readonly store: CredentialStore,
    private readonly connections: IntegrationConnections,
    private readonly tokens: OAuthTokens,
    private readonly policies: OutboundPolicyService,
    private readonly workflow: InstallationWorkflow,
    private readonly lifecycle: InstallationLifecycle,
    private readonly entities: InstallationEntityCleaner,
    private readonly liveEvents: LiveEventHooks,
  ) {}

  list(orgId: string): Promise<InstallationRecord[]> {
    return this.installations.list(orgId);
  }

  /** The installations among these connected through Mooring's own App, by id (one query). */
  async appConnections(orgId: string, installations: readonly InstallationRecord[]): Promise<Map<string, PlatformAppConnection>> {
    const links = await this.installations.platformApps(
      orgId,
      installations.map((installation) => installation.id),
    );
    const connections = new Map<string, PlatformAppConnection>();
    for (const installation of installations) {
      const link = links.get(installation.id);
      if (link) connections.set(installation.id, platformAppConnection(installation, link));
    }
    return connections;
  }

  async get(orgId: string, id: string): Promise<InstallationRecord> {
    const installation = await this.installations.find(orgId, id);
    if (!installation) throw new DomainError('NOT_FOUND', `Installation ${id} was not found`, { resource: 'installation', id });
    return installation;
  }

  /**
   * The first page of a kind, read live (the installation's declared kinds included), bounded to
   * TRIAL_ITEMS items and TRIAL_BYTES of JSON: what a mapping can be written against. Writes nothing.
   */
  async tryKind(orgId: string, id: string, kind: string): Promise<{ kind: string; items: JsonObject[]; truncated: boolean }> {
    const installation = await this.get(orgId, id);
    const integration = withInstallationKinds(this.integrations.get(installation.integrationId), installation.settings);
    const definition = Object.hasOwn(integration.kinds, kind) ? integration.kinds[kind] : undefined;
    if (!definition)
      throw new DomainError('NOT_FOUND', `${integration.title} has no kind "${kind}"`, { resource: 'kind', id: kind });
    const connection = await this.connections.forInstallation(orgId, id, AbortSignal.timeout(TRIAL_TIMEOUT_MS));
    const items: JsonObject[] = [];
    let truncated = false;
    for await (const page of definition.extract(connection, {})) {
      let bytes = 0;
      for (const item of pageItems(page)) {
        bytes += JSON.stringify(item).length;
        if (items.length >= TRIAL_ITEMS || bytes > TRIAL_BYTES) {
          truncated = true;
          break;
        }
        items.push(item);
      }
      break;
    }
    return { kind, items, truncated };
  }

  async create(tenant: TenantContext, input: CreateInstallationInput): Promise<InstallationRecord> {
    const { orgId } = tenant;
    const integration = this.integrations.forField(input.integrationId);
    if (!integration.auth.customSettings) {
      throw new DomainError('VALIDATION_FAILED', `${integration.title} connects with OAuth only: use POST /v1/oauth/connect`, {
        fields: [{ field: 'integrationId', message: 'has no custom-settings form' }],
      });
    }
    const { settings, secrets } = parseSettings(settingFields(integration), input.settings);
    integration.auth.mintedTokens?.validate(settings, secrets);
    const mapping = input.mapping ?? integration.defaultMapping;
    const schedule = input.schedule === undefined ? undefined : this.workflow.parseSchedule(input.schedule);
    await this.workflow.validateMapping(withInstallationKinds(integration, settings), mapping);
    await this.workflow.assertNameFree(orgId, input.name);

    const policy = await this.policies.forOrganization(orgId);
    const checked = await this.workflow.checkHosts(integration, settings, policy);
    const candidate = await this.verifiedCandidate(integration, checked, secrets, policy);
    return this.workflow.install(orgId, {
      integration,
      name: input.name,
      authMethod: 'custom_settings',
      mapping,
      settings: checked,
      ...(schedule ? { schedule } : {}),
      ...(input.maxFetchDrop !== undefined ? { maxFetchDrop: input.maxFetchDrop } : {}),
      createdBy: tenant.principal.id,
      credential: { kind: 'settings', secrets, ...(candidate.minted ? { minted: candidate.minted } : {}) },
    });
  }

  async update(tenant: TenantContext, id: string, input: UpdateInstallationInput): Promise<InstallationRecord> {
    const { orgId } = tenant;
    const current = await this.get(orgId, id);
    const integration = this.integrations.get(current.integrationId);
    const changes: { -readonly [K in keyof InstallationChanges]: InstallationChanges[K] } = {};
    if (input.name !== undefined && input.name !== current.name) {
      await this.workflow.assertNameFree(orgId, input.name, id);
      changes.name = input.name;
    }
    // Settings may declare the kinds a mapping names (kindsFor): a change to either checks both.
    const kindsChanged = integration.kindsFor !== undefined && input.settings !== undefined;
    if (input.mapping !== undefined || kindsChanged) {
      const settings = { ...current.settings, ...nonSecret(integration, input.settings) };
      await this.workflow.validateMapping(withInstallationKinds(integration, settings), input.mapping ?? current.mapping);
      if (input.mapping !== undefined) changes.mapping = input.mapping;
    }
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (input.schedule !== undefined) changes.schedule = this.workflow.parseSchedule(input.schedule);
    if (input.maxFetchDrop !== undefined) changes.maxFetchDrop = input.maxFetchDrop;
    const rotation = input.settings === undefined ? undefined : await this.changeSettings(current, integration, input.settings);
    if (rotation) changes.settings = rotation.settings;

    const saved = rotation?.credential
      ? await this.installations.replaceCredential(orgId, id, rotation.credential, changes, credentialsReplaced())
      : await this.installations
          .update(orgId, id, changes)
          .then((installation) => installation && { installation, transition: null });
    if (!saved) throw new DomainError('NOT_FOUND', `Installation ${id} was not found`, { resource: 'installation', id });
    const updated = saved.installation;

    await this.lifecycle.changed(current, updated, saved.transition);
    if (rotation?.credential) {
      await this.workflow.setUpLiveEvents(updated);
      await this.workflow.requestResync(orgId, id, 'credentials_rotated');
    } else if (changes.mapping !== undefined) await this.workflow.requestResync(orgId, id, 'mapping_changed');
    return updated;
  }

  async delete(tenant: TenantContext, id: string, options: { deleteEntities: boolean }): Promise<DeletedInstallation> {
    const { orgId } = tenant;
    const installation = await this.get(orgId, id);
    await this.lifecycle.removing(orgId, id);
    await this.liveEvents.removing(orgId, id, installation.integrationId, () => this.connections.forInstallation(orgId, id));
    const entitiesDeleted = options.deleteEntities ? await this.entities.deleteEntities(orgId, id) : null;
    if (!(await this.installations.delete(orgId, id, { entitiesDeleted }))) {
      throw new DomainError('NOT_FOUND', `Installation ${id} was not found`, { resource: 'installation', id });
    }
    return { id, entitiesDeleted };
  }

  /**
   * A settings change is verified live before it is saved, with the new secrets if any were given
   * and the stored ones otherwise. A new host needs the secrets again: stored credentials are
   * never sent to a host they were not given for.
   */
  private async changeSettings(
    current: InstallationRecord,
    integration: IntegrationDefinition,
    input: unknown,
  ): Promise<{ settings: Record<string, string>; credential?: NewCredential }> {
    if (await this.installations.platformApp(current.orgId, current.id)) {
      // Its account and repositories are chosen on the tool, and its key is the service's.
      throw new DomainError(
        'VALIDATION_FAILED',
        'An installation of Mooring’s App keeps its settings; change its repositories on the tool',
        {
          fields: [{ field: 'settings', message: 'cannot be changed for an installation of Mooring’s App' }],
        },
      );
    }
    const fields = settingFields(integration);
    const oauth = current.authMethod === 'oauth2';
    const changed = parseSettings(fields, input, {
      partial: true,
      // OAuth installations hold tokens, not form secrets; their host is fixed at connect time.
      only: oauth ? (field) => !field.sensitive && field.type !== 'url' : () => true,
    });
    const settings = { ...current.settings, ...changed.settings };
    for (const name of changed.cleared) delete settings[name];

    const hostChanged = fields.some(
      (field) => field.type === 'url' && (settings[field.name] ?? '') !== (current.settings[field.name] ?? ''),
    );
    const hasNewSecrets = Object.keys(changed.secrets).length > 0;
    if (hostChanged && !hasNewSecrets) {
      const secret = fields.find((field) => field.sensitive)?.name ?? 'token';
      throw new DomainError('VALIDATION_FAILED', 'Changing the host needs the credentials again', {
        fields: [{ field: `settings.${secret}`, message: 'is required when the host changes' }],
      });
    }
    const policy = await this.policies.forOrganization(current.orgId);
    const checked = await this.workflow.checkHosts(integration, settings, policy);

    if (oauth) {
      const token = await this.tokens.accessToken(current, integration, policy);
      await this.workflow.verify(integration, this.connections.forCandidate(checked, token, policy, undefined, 'oauth2'));
      return { settings: checked };
    }
    const secrets = { ...(await this.storedSecretsMissingFrom(current, fields, changed.secrets)), ...changed.secrets };
    for (const name of changed.cleared) delete secrets[name];
    integration.auth.mintedTokens?.validate(checked, secrets);
    const { minted } = await this.verifiedCandidate(integration, checked, secrets, policy);
    if (!hasNewSecrets && !minted) return { settings: checked };
    const credential = { kind: 'settings' as const, secrets, ...(minted ? { minted } : {}) };
    return { settings: checked, credential: await this.store.seal(current.orgId, current.id, credential) };
  }

  /**
   * Verifies a custom-settings form live. A refusal names the form field to fix (`settings.<name>`):
   * the one the integration named, or else the form's secret, so the console shows it beside it.
   */
  private async verifiedCandidate(
    integration: IntegrationDefinition,
    settings: Record<string, string>,
    secrets: Record<string, string>,
    policy: RequestPolicy,
  ): Promise<{ minted?: MintedCredentialToken }> {
    return this.verifyForm(integration, async () => {
      const candidate = await this.connections.candidateToken(integration, settings, secrets, policy);
      await this.workflow.verify(integration, this.connections.forCandidate(settings, candidate.token, policy));
      return candidate;
    });
  }

  private async verifyForm<T>(integration: IntegrationDefinition, verify: () => Promise<T>): Promise<T> {
    try {
      return await verify();
    } catch (error) {
      if (isDomainError(error, 'CREDENTIALS_INVALID') || isDomainError(error, 'CREDENTIALS_SCOPE_MISSING')) {
        const named = error.details['field'];
        const secret = settingFields(integration).find((field) => field.sensitive)?.name;
        const field = typeof named === 'string' ? named : secret;
        if (field) {
          throw new DomainError(error.code, error.message, { ...error.details, field: `settings.${field}` }, { cause: error });
        }
      }
      throw error;
    }
  }

  /** The stored secrets, unless the change re-enters every one (then unreadable old ones do not matter). */
  private async storedSecretsMissingFrom(
    current: InstallationRecord,
    fields: readonly SettingField[],
    given: Readonly<Record<string, string>>,
  ): Promise<Readonly<Record<string, string>>> {
    // Only secrets that are stored are read back (their hints say which): a form with several
    // secret fields, of which the stored credential uses one, needs no read when that one is given.
    const storedNames = await this.store.storedSecretNames(current.orgId, current.id);
    const missing = fields.filter((field) => field.sensitive && given[field.name] === undefined && storedNames.has(field.name));
    if (!missing.length) return {};
    try {
      const stored = await this.store.read(current.orgId, current.id);
      return stored?.payload.kind === 'settings' ? stored.payload.secrets : {};
    } catch (error) {
      if (!isDomainError(error, 'CREDENTIALS_UNREADABLE')) throw error;
      throw new DomainError('VALIDATION_FAILED', 'The stored credentials cannot be read: enter them again', {
        fields: missing.map((field) => ({
          field: `settings.${field.name}`,
          message: 'is required: the stored value cannot be read',
        })),
      });
    }
  }
}

/** The non-secret fields of a settings change, for checks that read settings (never the secrets). */
function nonSecret(integration: IntegrationDefinition, input: unknown): Record<string, string> {
  if (typeof input !== 'object' || input === null) return {};
  const open = new Set(
    settingFields(integration)
      .filter((field) => !field.sensitive)
      .map((field) => field.name),
  );
  return Object.fromEntries(
    Object.entries(input as Record<string, unknown>).filter(
      (entry): entry is [string, string] => open.has(entry[0]) && typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
}
