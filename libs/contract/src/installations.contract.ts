import { z } from 'zod';
import { isoDateTime, jsonObject, nameField, uuid } from './common.js';

// Integrations on offer, installations, OAuth connect, and what syncs did.

export const settingField = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  type: z.enum(['string', 'url']),
  required: z.boolean(),
  /** Stored encrypted; the API only says whether it is set and shows its last 4 characters. */
  sensitive: z.boolean(),
});

export const integration = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  authMethods: z.array(z.enum(['oauth2', 'custom_settings'])),
  oauth2: z
    .object({
      scopes: z.array(z.string()),
      pkce: z.boolean(),
      /** Mooring has its own OAuth application for the public service (self-hosted needs the org's). */
      mooringClient: z.boolean(),
      /** JSON Schema of the non-secret settings an OAuth connection takes (e.g. an Enterprise host). */
      settings: jsonObject,
    })
    .nullable(),
  /**
   * Mooring's own App, installed from the tool (GitHub's "Install the GitHub App", started with
   * POST /v1/github-app/install); null where the integration has none or this Mooring has none configured.
   */
  app: z.object({ slug: z.string() }).nullable(),
  customSettings: z.object({ fields: z.array(settingField), schema: jsonObject }).nullable(),
  kinds: z.array(z.object({ kind: z.string(), title: z.string() })),
});

export const integrationIdParam = z.string().min(1).max(100);

/**
 * The share (0 to 1) by which a resource's fetch count may drop, against the last run whose counts
 * were trusted, before deletion is refused.
 */
export const maxFetchDrop = z.number().min(0).max(1);

/** `{"every":"1h"}` or `{"cron":"0 6 * * 1-5","timezone":"Europe/Berlin"}`. */
export const scheduleView = z.union([z.object({ every: z.string() }), z.object({ cron: z.string(), timezone: z.string() })]);

export const syncRunStatus = z.enum(['pending', 'running', 'completed', 'failed', 'aborted', 'skipped']);

export const syncTotals = z.object({
  fetched: z.number().int(),
  transformed: z.number().int(),
  filteredOut: z.number().int(),
  ingested: z.number().int(),
  notChanged: z.number().int(),
  /** Items or entities that failed in any phase: fetch, map, ingest. */
  failed: z.number().int(),
  deleted: z.number().int(),
});

/** What the data-sources overview adds to an installation. */
export const installationSync = {
  sync: z.object({
    lastRun: z
      .object({
        id: uuid,
        status: syncRunStatus,
        trigger: z.string(),
        startedAt: isoDateTime.nullable(),
        finishedAt: isoDateTime.nullable(),
        durationMs: z.number().nullable(),
        errorCode: z.string().nullable(),
        totals: syncTotals,
      })
      .nullable(),
    activeRun: z
      .object({ id: uuid, status: syncRunStatus, createdAt: isoDateTime.nullable(), startedAt: isoDateTime.nullable() })
      .nullable(),
  }),
  entities: z.object({ total: z.number().int(), byBlueprint: z.record(z.string(), z.number().int()) }),
};

export const installation = z.object({
  id: uuid,
  integrationId: z.string(),
  name: z.string(),
  authMethod: z.enum(['custom_settings', 'oauth2']),
  /** The organization's switch. */
  enabled: z.boolean(),
  /** Mooring's view: needs_reauth (someone must reconnect) or disabled (credentials unreadable). */
  state: z.enum(['active', 'needs_reauth', 'disabled']),
  stateReason: z.string().nullable(),
  stateChangedAt: isoDateTime,
  settings: z.record(z.string(), z.string()),
  /** Sensitive settings: whether set and at most their last 4 characters. */
  secrets: z.record(z.string(), z.object({ set: z.boolean(), last4: z.string().nullable() })),
  oauth: z
    .object({
      connected: z.boolean(),
      accessTokenExpiresAt: isoDateTime.nullable(),
      /** The provider account the tokens belong to, when the integration can tell. */
      account: z.object({ id: z.string(), name: z.string() }).nullable(),
    })
    .nullable(),
  credentialsUpdatedAt: isoDateTime.nullable(),
  /**
   * Connected through Mooring's own GitHub App ("Install the GitHub App"): the GitHub account and
   * installation it reads, and where on GitHub to manage its repository access. Its credentials are
   * the service's (settings changes are refused). Null for every other installation.
   */
  connectedThrough: z
    .object({
      kind: z.literal('mooring-github-app'),
      /** The GitHub account's login. */
      account: z.string(),
      /** As GitHub names it: `Organization` or `User`. */
      accountType: z.string(),
      /** GitHub's installation id. */
      appInstallationId: z.string(),
      /** The installation's settings page on GitHub (repository access, suspend, uninstall); null for an account type without one. */
      manageUrl: z.string().nullable(),
    })
    .nullable(),
  schedule: scheduleView,
  /** When the schedule fires next; null while disabled or needing new credentials. */
  nextRunAt: isoDateTime.nullable(),
  /** Deletion is refused when a resource fetches more than this share fewer items than the last trusted run. */
  maxFetchDrop: z.number(),
  mapping: jsonObject,
  createdBy: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const installationWithSync = installation.extend(installationSync);

export const createInstallationRequest = z.strictObject({
  integrationId: z.string().min(1).max(100),
  name: nameField,
  settings: jsonObject.default({}),
  mapping: jsonObject.optional(),
  /** `{"every":"1h"}` or `{"cron":"0 6 * * 1-5","timezone":"Europe/Berlin"}`; checked by the service. */
  schedule: jsonObject.optional(),
  maxFetchDrop: maxFetchDrop.optional(),
});

export const updateInstallationRequest = z
  .strictObject({
    name: nameField.optional(),
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

export const deletedInstallation = z.object({
  /** `entitiesDeleted` is null when the entities were kept (unowned). */
  deleted: z.object({ id: uuid, entitiesDeleted: z.number().int().nullable() }),
});

export const connectRequest = z.strictObject({
  integrationId: z.string().min(1).max(100),
  returnUrl: z.string().min(1).max(2_048),
  name: nameField.optional(),
  installationId: uuid.optional(),
  settings: jsonObject.optional(),
  oauthClient: z.strictObject({ clientId: z.string().min(1).max(500), clientSecret: z.string().min(1).max(500) }).optional(),
});
export const appInstallRequest = z.strictObject({
  returnUrl: z.string().min(1).max(2000),
  name: nameField.optional(),
});
export const connectStarted = z.object({ authorizationUrl: z.string(), expiresAt: isoDateTime });

export const rawSamples = z.object({
  /** Per kind, the first raw items of the last run that fetched it (the tool's own shape). */
  samples: z.record(z.string(), z.object({ items: z.array(jsonObject), runId: uuid.nullable(), capturedAt: isoDateTime })),
});

/** The first page of a kind, read live, for writing a mapping against real data. */
export const kindTrial = z.object({
  kind: z.string(),
  /** At most 20 items and 256 KiB of them, in the tool's own shape. */
  items: z.array(jsonObject),
  /** Whether the page held more than was returned. */
  truncated: z.boolean(),
});

const providerAccount = z.object({ id: z.string(), name: z.string() });

/** A connect session as its starter sees it, e.g. to confirm a reconnect that returned another account. */
export const connectSession = z.object({
  id: uuid,
  integrationId: z.string(),
  /** The installation being reconnected; null for a new connection. */
  installation: z.object({ id: uuid, name: z.string(), account: providerAccount.nullable() }).nullable(),
  /** The account the provider returned, when it differs from the installation's and waits for confirmation. */
  proposedAccount: providerAccount.nullable(),
  status: z.enum(['open', 'awaiting_confirmation', 'confirmed', 'finished', 'expired']),
  expiresAt: isoDateTime,
});
