export { CredentialRewrapper } from './credential-rewrapper.js';
export { rewrapEnvelopes, type RewrapOptions, type RewrapReport, type RewrapTarget } from './envelope-rewrap.js';
export { CredentialStore, credentialContext, type CredentialPayload } from './credential-store.js';
export {
  BlueprintProvisioner,
  InstallationEntityCleaner,
  LiveEventHooks,
  MappingCheck,
  ResyncTrigger,
  type ResyncReason,
} from './installation-ports.js';
export {
  InstallationService,
  type CreateInstallationInput,
  type DeletedInstallation,
  type UpdateInstallationInput,
} from './installation.service.js';
export {
  platformAppsFromConfig,
  githubAppFromConfig,
  githubAppGroup,
  installationsOptionsFromConfig,
  oauthClientsGroup,
  oauthConnectGroup,
  outboundGroup,
  outboundOptionsFromConfig,
  schedulingGroup,
} from './installations.config.js';
export {
  InstallationsModule,
  type InstallationPorts,
  type InstallationsModuleOptions,
  type PortBinding,
} from './installations.module.js';
export {
  INSTALLATIONS_OPTIONS,
  type GithubAppOptions,
  type InstallationsOptions,
  type OAuthClientCredentials,
} from './installations.options.js';
export { IntegrationConnections, primarySecret } from './integration-connections.js';
export { InstallationLifecycle } from './lifecycle/installation-lifecycle.js';
export {
  credentialsRefused,
  credentialsReplaced,
  credentialsUnreadable,
  isSchedulable,
} from './lifecycle/installation-states.js';
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
export { GithubAppInstallService, type AppSetupQuery } from './github-app/github-app-install.service.js';
export { type PlatformAppConnection } from './github-app/platform-app-connection.js';
export { OAuthTokens } from './oauth/oauth-tokens.service.js';
export { MintedTokens, mintDue } from './minted-tokens.service.js';
export { settingFields, settingsJsonSchema } from './settings-form.js';
export { RESPONSE_CACHE_RETENTION_DAYS, StoredResponseCache } from './stored-response-cache.js';
