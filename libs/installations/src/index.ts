export { CredentialRewrapper, type RewrapReport } from './credential-rewrapper.js';
export { CredentialStore, credentialContext, type CredentialPayload } from './credential-store.js';
export * from './installation-hooks.js';
export {
  InstallationService,
  type CreateInstallationInput,
  type DeletedInstallation,
  type UpdateInstallationInput,
} from './installation.service.js';
export {
  installationsOptionsFromConfig,
  oauthClientsGroup,
  oauthConnectGroup,
  outboundGroup,
  outboundOptionsFromConfig,
  schedulingGroup,
} from './installations.config.js';
export { InstallationsModule, type InstallationsModuleOptions } from './installations.module.js';
export { INSTALLATIONS_OPTIONS, type InstallationsOptions, type OAuthClientCredentials } from './installations.options.js';
export { IntegrationConnections, primarySecret } from './integration-connections.js';
export { IntegrationCatalog } from './integration-catalog.js';
export {
  CONNECT_SESSION_TTL_MS,
  OAuthConnectService,
  connectCookieName,
  type CallbackBrowser,
  type CallbackOutcome,
  type CallbackQuery,
  type StartConnectInput,
  type StartedConnect,
} from './oauth/oauth-connect.service.js';
export { OAuthTokens } from './oauth/oauth-tokens.service.js';
export { settingFields, settingsJsonSchema } from './settings-form.js';
export { RESPONSE_CACHE_RETENTION_DAYS, StoredResponseCache } from './stored-response-cache.js';
