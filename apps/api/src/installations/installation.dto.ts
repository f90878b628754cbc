import type { installation as installationSchema, integration as integrationSchema, Reply } from '@mooring/contract';
import type { IntegrationDefinition } from '@mooring/integrations';
import { settingFields, settingsJsonSchema, type PlatformAppConnection } from '@mooring/installations';
import type { InstallationRecord } from '@mooring/persistence';
import { nextRunAt, scheduleView } from '@mooring/scheduling';

/** An integration as the web app needs it to offer a connect button or render the settings form. */
export function integrationView(
  integration: IntegrationDefinition,
  oauthAvailable: boolean,
  app: { readonly slug: string } | null = null,
): Reply<typeof integrationSchema> {
  const fields = settingFields(integration);
  const oauth2 = integration.auth.oauth2;
  return {
    id: integration.id,
    title: integration.title,
    description: integration.description,
    authMethods: [
      ...(oauth2 ? (['oauth2'] as const) : []),
      ...(integration.auth.customSettings ? (['custom_settings'] as const) : []),
    ],
    oauth2: oauth2
      ? {
          scopes: oauth2.scopes,
          pkce: oauth2.pkce,
          /** Mooring has its own OAuth application for the public service (self-hosted needs the org's). */
          mooringClient: oauthAvailable,
          settings: settingsJsonSchema(fields.filter((field) => !field.sensitive)),
        }
      : null,
    customSettings: integration.auth.customSettings ? { fields, schema: settingsJsonSchema(fields) } : null,
    app,
    kinds: Object.entries(integration.kinds).map(([kind, definition]) => ({ kind, title: definition.title })),
  };
}

/**
 * An installation as the API shows it: secrets only as "set" and at most their last 4 characters;
 * `connectedThrough` when it is an installation of Mooring's own App.
 */
export function installationView(
  record: InstallationRecord,
  integration: IntegrationDefinition | undefined,
  connectedThrough: PlatformAppConnection | null,
): Reply<typeof installationSchema> {
  const installation = record;
  const credential = installation.credential;
  const sensitive = integration ? settingFields(integration).filter((field) => field.sensitive) : [];
  return {
    id: installation.id,
    integrationId: installation.integrationId,
    name: installation.name,
    authMethod: installation.authMethod,
    enabled: installation.enabled,
    state: installation.state,
    stateReason: installation.stateReason,
    stateChangedAt: installation.stateChangedAt.toISOString(),
    settings: installation.settings,
    secrets:
      installation.authMethod === 'custom_settings'
        ? Object.fromEntries(
            sensitive.map((field) => {
              const hint = credential?.hints[field.name];
              return [field.name, { set: hint !== undefined, last4: hint || null }];
            }),
          )
        : {},
    oauth:
      installation.authMethod === 'oauth2'
        ? {
            connected: credential !== null,
            accessTokenExpiresAt: credential?.expiresAt?.toISOString() ?? null,
            account: installation.providerAccount,
          }
        : null,
    credentialsUpdatedAt: credential?.updatedAt.toISOString() ?? null,
    connectedThrough,
    schedule: scheduleView(installation.schedule),
    /** Deletion is refused when a resource fetches more than this share fewer items than the last trusted run. */
    maxFetchDrop: installation.maxFetchDrop,
    /** When the schedule fires next; null while the installation is disabled or needs new credentials. */
    nextRunAt:
      installation.enabled && installation.state === 'active'
        ? nextRunAt(installation.schedule, installation.id, new Date()).toISOString()
        : null,
    mapping: installation.mapping as Record<string, unknown>,
    createdBy: installation.createdBy,
    createdAt: installation.createdAt.toISOString(),
    updatedAt: installation.updatedAt.toISOString(),
  };
}
