import type { z } from 'zod';

// The contract every integration implements. An integration is one folder under src/ holding its
// definition, client, kinds, data model, fake tool server, fixtures, tests and README, and one line
// in registry.ts; the HTTP machinery tools share is in toolkit/. Nothing about a tool lives outside
// its folder (docs/adding-an-integration.md).

/** JSON as stored and mapped: what extract yields and blueprints/mappings are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Outbound HTTP for a connection. The installations feature supplies an implementation that checks
 * every request against the SSRF rules (DNS resolved and checked at each connection, no redirects to
 * forbidden addresses), caps response bodies (UPSTREAM_RESPONSE_TOO_LARGE) and is aborted by the
 * connection's signal even while a body is still arriving; integrations must use it and never a
 * bare `fetch`.
 */
export type OutboundFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** A tool's earlier answer to a GET, kept to make the next request conditional (`If-None-Match`). */
export interface CachedResponse {
  readonly etag: string;
  /** The response body as text. */
  readonly body: string;
  /** The response headers the integration needs again when the tool answers 304 (e.g. `link`). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The installation's conditional-request cache, keyed by URL and persisted between runs. Used by
 * integrations whose tool sends ETags (GitHub): a 304 costs no quota and still yields the items.
 */
export interface ResponseCache {
  get(url: string): Promise<CachedResponse | undefined>;
  put(url: string, response: CachedResponse): Promise<void>;
}

/** What an integration's code gets at run time for one installation. */
export interface IntegrationConnection {
  /** Non-secret settings of the installation (e.g. `host`, `organization`). */
  readonly settings: Readonly<Record<string, string>>;
  /**
   * How `accessToken()` was obtained: an OAuth access token, or the custom-settings form's token.
   * Tools that spell the two differently read it (PagerDuty: `Bearer` or `Token token=`). Absent
   * means the form's token.
   */
  readonly authMethod?: 'oauth2' | 'custom_settings';
  /**
   * What the tool counts its quota against, when that is not the token itself (a GitHub App
   * installation, whose tokens change every hour): budgets and shared caps are keyed by it.
   */
  readonly quotaKey?: string;
  /** The current access token or API token; refreshed first when an OAuth token is near expiry. */
  accessToken(): Promise<string>;
  readonly fetch: OutboundFetch;
  /** Aborted when the run is cancelled, times out, or its process drains. */
  readonly signal: AbortSignal;
  /** Present for stored installations (sync runs); absent when verifying credentials not saved yet. */
  readonly responseCache?: ResponseCache;
  /**
   * The tool refused the stored credentials while a run used them (e.g. a revoked token answered
   * 401): the installation needs new credentials. The sync engine calls it when a kind fails with
   * CREDENTIALS_INVALID; integrations only throw that error.
   */
  credentialsRejected?(reason: string): Promise<void>;
  /**
   * A limit on concurrent requests shared by every worker process (e.g. a tool's per-token cap);
   * absent, integrations can only limit within their process.
   */
  readonly sharedConcurrency?: SharedConcurrency;
  /**
   * One item could not be read (e.g. a 403 on one repository's listing) and was skipped so the kind
   * could go on (toolkit/item-failures.ts). The sync engine counts it as a fetch failure of the
   * resource being extracted, with a sample, and the run deletes nothing; absent, the error fails
   * the kind.
   */
  itemFailed?(failure: ItemFailure): void;
  /**
   * The same object for this connection and every copy the engine makes of it (one run attempt):
   * kinds key what they share for the run on it (e.g. GitHub's repository names, listed once for
   * every per-repository kind); absent, each kind lists for itself.
   */
  readonly runKey?: object;
  /**
   * The mapping engine's evaluators (JSONata, and jq in its bounded worker threads), for settings
   * that hold an expression (the generic HTTP integration's items path); absent where the process
   * has no mapping engine.
   */
  readonly expressions?: ExpressionEvaluator;
}

export type ExpressionLanguage = 'jsonata' | 'jq';

/** Tenant-written expressions, evaluated with the same bounds as mappings (time, depth, size). */
export interface ExpressionEvaluator {
  /** Why the expression does not compile, in the engine's words; undefined when it does. */
  problem(language: ExpressionLanguage, source: string): Promise<string | undefined>;
  /**
   * The expression's value over `input`: JSONata's result (undefined when it selects nothing); for
   * jq, its one output when that is a list, else the list of its outputs (`.data[]`). A failing or
   * overrunning evaluation throws UPSTREAM_MALFORMED naming why.
   */
  evaluate(language: ExpressionLanguage, source: string, input: JsonValue): Promise<JsonValue | undefined>;
}

export interface ItemFailure {
  /** Which item, in the tool's words (`acme/api`). */
  readonly item: string;
  readonly reason: string;
}

export interface SharedConcurrency {
  /**
   * Waits until fewer than `limit` holders of `key` remain across processes, then holds one slot
   * until the returned release is called. `key` must not reveal a secret (hash a token first).
   */
  acquire(key: string, limit: number, signal: AbortSignal): Promise<() => Promise<void>>;
}

/** One page of raw items from the tool, in the tool's own shape. */
export type Page = readonly JsonObject[];

/**
 * A page, with how many items the whole listing holds when the tool says so (a `total` field, an
 * `X-Total` header): a listing that then ends with fewer items is incomplete, and nothing is deleted.
 */
export interface CountedPage {
  readonly items: Page;
  readonly total?: number;
}

/** The items of what an extract yielded, whichever of the two shapes it has. */
export function pageItems(page: Page | CountedPage): Page {
  return 'items' in page ? page.items : page;
}

export interface KindDefinition {
  readonly title: string;
  /**
   * Schema of this kind's selector keys other than `query` (e.g. GitHub pull requests' `states`).
   * Validated with the mapping when it is saved.
   */
  readonly selector?: z.ZodType;
  /**
   * Why this installation cannot list the kind (e.g. a setting it needs is empty), or undefined
   * when it can. The engine then skips it: no request, the resource's status says why, and nothing
   * it wrote before is deleted. Absent: every installation can list it.
   */
  unavailable?(connection: IntegrationConnection): string | undefined;
  /**
   * Streams the kind's items page by page: memory stays bounded by a page. Throwing fails the
   * kind (and blocks deletion for the run); the engine counts what was yielded before. The engine
   * checks what is yielded whatever the tool answered: a page must be a list of JSON objects (or a
   * CountedPage holding one), or the kind fails with UPSTREAM_MALFORMED.
   */
  extract(connection: IntegrationConnection, selector: Readonly<Record<string, unknown>>): AsyncIterable<Page | CountedPage>;
}

/** A field of the custom-settings form, rendered by the web app from this description. */
export interface SettingField {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly type: 'string' | 'url';
  readonly required: boolean;
  /** Stored encrypted, never returned by the API (only whether it is set and its last 4 characters). */
  readonly sensitive: boolean;
}

export interface OAuth2Method {
  /** Host-dependent for self-hosted editions, e.g. GitHub Enterprise. */
  authorizationUrl(settings: Readonly<Record<string, string>>): string;
  tokenUrl(settings: Readonly<Record<string, string>>): string;
  readonly scopes: readonly string[];
  readonly pkce: boolean;
  readonly extraAuthorizationParams?: Readonly<Record<string, string>>;
  /**
   * Settings the token endpoint's answer decides (PagerDuty's service region, from its OpenID
   * `id_token`), applied over the connect session's settings when a code is exchanged; a refresh
   * keeps them as connected. `response` is the token response without its tokens; `clientId` is
   * the OAuth client the code was exchanged with. Only the integration's non-sensitive string
   * settings; {} leaves the chosen ones. Throws OAUTH_EXCHANGE_FAILED when the answer cannot be
   * trusted (then nothing is connected).
   */
  settingsFromTokenResponse?(
    response: Readonly<Record<string, unknown>>,
    client: { readonly clientId: string },
  ): Readonly<Record<string, string>>;
}

export interface IntegrationAuth {
  readonly oauth2?: OAuth2Method;
  readonly customSettings?: { readonly fields: readonly SettingField[] };
  /** Short-lived tokens minted from the form's secrets (a GitHub App's installation tokens). */
  readonly mintedTokens?: MintedTokenMethod;
}

/** A token minted for an installation, and when the tool says it expires (ISO instant). */
export interface MintedToken {
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * Custom settings that hold a signing key rather than a token: the installations feature mints a
 * token when the cached one is due (once across processes), stores it sealed beside the secrets,
 * and hands it to the integration's code as `accessToken()`.
 */
export interface MintedTokenMethod {
  /** Whether these settings mint tokens (GitHub: the App fields are filled in). */
  uses(settings: Readonly<Record<string, string>>): boolean;
  /** Checks the form before anything is sent: throws VALIDATION_FAILED naming `settings.<field>`. */
  validate(settings: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): void;
  /**
   * Asks the tool for a token. Throws CREDENTIALS_INVALID (naming the field) when the tool refuses
   * the key or the installation (revoked, suspended, uninstalled), another DomainError otherwise.
   */
  mint(request: MintRequest): Promise<MintedToken>;
}

export interface MintRequest {
  readonly settings: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly fetch: OutboundFetch;
  readonly signal: AbortSignal;
}

/** A blueprint an integration creates on install when the org does not have it yet (Port's shape). */
export interface BlueprintDefinition {
  readonly identifier: string;
  readonly title: string;
  readonly icon?: string;
  readonly schema: { readonly properties: Readonly<Record<string, JsonObject>>; readonly required?: readonly string[] };
  readonly relations?: Readonly<
    Record<string, { readonly target: string; readonly title?: string; readonly many: boolean; readonly required: boolean }>
  >;
}

/** The account at the tool that credentials belong to: a stable id and a name people recognise. */
export interface VerifiedAccount {
  readonly id: string;
  readonly name: string;
}

export interface IntegrationDefinition {
  /** Stable id, stored on installations: lower-case letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly auth: IntegrationAuth;
  readonly kinds: Readonly<Record<string, KindDefinition>>;
  /**
   * The kinds of one installation, for integrations whose kinds its settings declare (the generic
   * HTTP integration); throws VALIDATION_FAILED naming the setting when they are wrong. Absent,
   * every installation has `kinds`.
   */
  kindsFor?(settings: Readonly<Record<string, string>>): Readonly<Record<string, KindDefinition>>;
  readonly defaultBlueprints: readonly BlueprintDefinition[];
  /** Port's port-app-config shape with JSONata leaves; validated by libs/sync when loaded. */
  readonly defaultMapping: JsonObject;
  /**
   * A cheap live call proving the credentials work. Throws a DomainError: CREDENTIALS_INVALID for a
   * rejected credential, or a code naming what is missing (e.g. a scope). Returns the account the
   * credentials belong to when the tool says, so a reconnect that brings another account's tokens
   * can be told apart from one that renews the same account's.
   */
  verifyCredentials(connection: IntegrationConnection): Promise<VerifiedAccount | void>;
  /** How the tool's webhooks reach Mooring and become changes (live-events.ts); absent when it has none. */
  readonly liveEvents?: LiveEventsDefinition;
  /**
   * How long the tool's listings may lag behind its writes (Jira's search index): an entity written
   * (by a live event) within this long before a run started, and not listed by that run, is not
   * deleted by it but deferred to a later run. Absent: listings are read-after-write consistent.
   */
  readonly listingLagSeconds?: number;
}

/**
 * The integration as one installation sees it: its declared kinds in place of the static ones when
 * the integration declares kinds per installation (`kindsFor`). Mapping validation and sync runs
 * look kinds up here, so a mapping's `kind` names what the installation's settings declare.
 */
export function withInstallationKinds(
  integration: IntegrationDefinition,
  settings: Readonly<Record<string, string>>,
): IntegrationDefinition {
  return integration.kindsFor ? { ...integration, kinds: integration.kindsFor(settings) } : integration;
}

// The live-events half of an integration, beside extract. Mooring's edge
// (`POST /v1/hooks/:installationHookId`) verifies a delivery with `verify` on the raw body before
// it answers, persists it, and queues it; a worker then turns it into `changes` and applies each
// through the installation's mapping, exactly as a resync would write the item.

/** A delivery as the edge received it: the exact bytes (signatures are over them) and the headers. */
export interface WebhookDelivery {
  readonly rawBody: Buffer;
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly receivedAt: Date;
}

/** Why a delivery was refused; recorded in the live-event log and counted. */
export type RefusalReason = 'missing_signature' | 'bad_signature' | 'stale' | 'malformed';

export type DeliveryVerdict =
  | {
      readonly verified: true;
      /** The tool's id of the delivery (`X-GitHub-Delivery`), for deduplication; null when it sends none. */
      readonly deliveryId: string | null;
      /** The event's name in the tool's words (`pull_request`, `Merge Request Hook`), for the log. */
      readonly event: string;
    }
  | { readonly verified: false; readonly reason: RefusalReason };

/** One item a verified delivery touches. */
export interface LiveChange {
  /** The integration's kind (`repository`), whose mapping resources apply the item in order. */
  readonly kind: string;
  /** The item's id at the tool, as `fetchItem` takes it. */
  readonly itemId: string;
  /** A deletion is applied only after `fetchItem` confirms the item is gone. */
  readonly action: 'upsert' | 'delete';
  /**
   * The item in the shape extract yields, when the payload carries it whole; otherwise absent and
   * the worker reads it with `fetchItem` (payloads are often partial: never trust one that is).
   */
  readonly item?: JsonObject;
  /**
   * When the item last changed at the tool (ISO time) or its version, comparable within a kind: an
   * event older than what was applied last for the item is dropped, never applied over a newer state.
   */
  readonly version?: string | number;
}

/** What registering a webhook on the tool left behind, kept (sealed) with the installation. */
export interface HookRegistration {
  /** The tool's ids of what was created (hook id, subscription id), for `unregister` and `renew`. */
  readonly reference: JsonObject;
  /** A secret the tool generated and returned once (PagerDuty); replaces Mooring's for verification. */
  readonly secret?: string;
  /** When the tool will drop the hook unless renewed (Jira's dynamic webhooks: 30 days). */
  readonly expiresAt?: Date;
}

export interface LiveEventsDefinition {
  /**
   * Creates the webhook on the tool at install, pointing at `url` and signed with `secret` (Mooring
   * generates one per installation). Absent when the tool delivers without registration (a GitHub
   * App). Throws a DomainError naming a missing permission when the credentials cannot create it.
   */
  register?(
    connection: IntegrationConnection,
    hook: { readonly url: string; readonly secret: string },
  ): Promise<HookRegistration>;
  /**
   * Whether Mooring registers the webhook for an installation with these settings; absent: always
   * when `register` exists. Otherwise the user gives the tool the hook URL and secret (a GitHub App
   * installation: an App has one webhook, set on the App, and is never given an organization one).
   */
  registersFor?(settings: Readonly<Record<string, string>>): boolean;
  /**
   * The tool's Apps deliver every installation's events to one webhook set on the App: names the
   * App and the App installation a verified delivery is for, so the platform App's webhook routes it
   * to the installations authenticated as that App installation; null when the delivery names none.
   */
  appInstallationOf?(delivery: {
    readonly headers: WebhookDelivery['headers'];
    readonly body: JsonValue;
  }): { readonly appId: string; readonly installationId: string } | null;
  /**
   * What a delivery to the App's webhook says of the App installation itself: access withdrawn
   * (suspended, uninstalled: the installation needs attention, no runs or live events until then)
   * or restored (unsuspended), with the reason in words; null for any other delivery.
   */
  appAccessOf?(delivery: {
    readonly headers: WebhookDelivery['headers'];
    readonly body: JsonValue;
  }): { readonly access: 'withdrawn' | 'restored'; readonly reason: string } | null;
  /** Removes what `register` created (uninstall, or before registering again). A hook already gone is not an error. */
  unregister?(connection: IntegrationConnection, registration: HookRegistration): Promise<void>;
  /** Extends a registration before it expires; returns the new one. */
  renew?(connection: IntegrationConnection, registration: HookRegistration): Promise<HookRegistration>;
  /**
   * Verifies a delivery on its raw body, timing-safe, before anything else reads it. `secrets` holds
   * the current secret and, during a rotation, the previous one: either may match. Pure and fast:
   * the edge calls it while the tool waits for an answer. `settings` are the installation's
   * non-secret settings, for integrations whose settings declare the verification (generic HTTP).
   */
  verify(delivery: WebhookDelivery, secrets: readonly string[], settings?: Readonly<Record<string, string>>): DeliveryVerdict;
  /**
   * The tool signs an OAuth installation's deliveries with the OAuth application's client secret,
   * not with the hook's (Jira's dynamic webhooks). For such installations the edge hands `verify`
   * that secret, from the platform's OAuth client configuration, and never the hook's.
   */
  readonly signedWithOAuthClient?: boolean;
  /** The changes a verified delivery describes; none for an event Mooring does not follow. Throws on a body it cannot read. */
  changes(
    delivery: { readonly headers: WebhookDelivery['headers']; readonly body: JsonValue },
    settings?: Readonly<Record<string, string>>,
  ): readonly LiveChange[];
  /**
   * Reads one item of a kind by id with the installation's credentials, in extract's shape; null when
   * the tool says it is gone, or the item is outside what `selector` syncs (an archived project when
   * archived ones are left out): what the next resync would conclude. `selector` is the mapping
   * resource's selector (without `query`), since what extract adds to an item can depend on it
   * (GitLab's project languages and files); absent, the integration's default mapping's.
   */
  fetchItem(
    connection: IntegrationConnection,
    kind: string,
    itemId: string,
    selector?: Readonly<Record<string, unknown>>,
  ): Promise<JsonObject | null>;
}
