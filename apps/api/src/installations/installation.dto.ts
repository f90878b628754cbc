import { z } from 'zod';
import type { IntegrationDefinition } from '@mooring/integrations';
import { settingFields, settingsJsonSchema } from '@mooring/installations';
import type { InstallationRecord } from '@mooring/persistence';
import { nextRunAt, scheduleView } from '@mooring/scheduling';

const name = z.string().trim().min(1).max(100);
const jsonObject = z.record(z.string(), z.unknown());
/** The share (0 to 1) by which a resource's fetch count may drop before deletion is refused. */
const maxFetchDrop = z.number().min(0).max(1);

export const createInstallationRequest = z.strictObject({
  integrationId: z.string().min(1).max(100),
  name,
  settings: jsonObject.default({}),
  mapping: jsonObject.optional(),
  /** `{"every":"1h"}` or `{"cron":"0 6 * * 1-5","timezone":"Europe/Berlin"}`; checked by the service. */
  schedule: jsonObject.optional(),
  maxFetchDrop: maxFetchDrop.optional(),
});

export const updateInstallationRequest = z
  .strictObject({
    name: name.optional(),
    enabled: z.boolean().optional(),
    mapping: jsonObject.optional(),
    settings: jsonObject.optional(),
    schedule: jsonObject.optional(),
    maxFetchDrop: maxFetchDrop.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'send at least one of name, enabled, mapping, settings, schedule, maxFetchDrop',
  );

/** A resync's options; the body may be left out. */
export const resyncRequest = z
  .strictObject({
    /** The user confirms that a drop in fetched items is real: this run may delete despite maxFetchDrop. */
    acceptFetchDrop: z.boolean().default(false),
  })
  .optional()
  .transform((body) => body ?? { acceptFetchDrop: false });

export const deleteInstallationQuery = z.strictObject({
  deleteEntities: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export const connectRequest = z.strictObject({
  integrationId: z.string().min(1).max(100),
  returnUrl: z.string().min(1).max(2_048),
  name: name.optional(),
  installationId: z.uuid({ error: 'must be a UUID' }).optional(),
  settings: jsonObject.optional(),
  oauthClient: z.strictObject({ clientId: z.string().min(1).max(500), clientSecret: z.string().min(1).max(500) }).optional(),
});

/** An integration as the web app needs it to offer a connect button or render the settings form. */
export function integrationView(integration: IntegrationDefinition, oauthAvailable: boolean) {
  const fields = settingFields(integration);
  const oauth2 = integration.auth.oauth2;
  return {
    id: integration.id,
    title: integration.title,
    description: integration.description,
    authMethods: [...(oauth2 ? ['oauth2'] : []), ...(integration.auth.customSettings ? ['custom_settings'] : [])],
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
    kinds: Object.entries(integration.kinds).map(([kind, definition]) => ({ kind, title: definition.title })),
  };
}

/** An installation as the API shows it: secrets only as "set" and at most their last 4 characters. */
export function installationView(installation: InstallationRecord, integration: IntegrationDefinition | undefined) {
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
        ? { connected: credential !== null, accessTokenExpiresAt: credential?.expiresAt?.toISOString() ?? null }
        : null,
    credentialsUpdatedAt: credential?.updatedAt.toISOString() ?? null,
    schedule: scheduleView(installation.schedule),
    /** Deletion is refused when a resource fetches more than this share fewer items than the last trusted run. */
    maxFetchDrop: installation.maxFetchDrop,
    /** When the schedule fires next; null while the installation is disabled or needs new credentials. */
    nextRunAt:
      installation.enabled && installation.state === 'active'
        ? nextRunAt(installation.schedule, installation.id, new Date()).toISOString()
        : null,
    mapping: installation.mapping,
    createdBy: installation.createdBy,
    createdAt: installation.createdAt.toISOString(),
    updatedAt: installation.updatedAt.toISOString(),
  };
}
