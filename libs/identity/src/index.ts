export { AccessTokenService, type IssuedToken } from './access-token.service.js';
export { ApiClientService, type CreatedApiClient } from './api-client.service.js';
export type { ClientCredentials } from './client-credentials.js';
export { IdentityModule } from './identity.module.js';
export { DEFAULT_PEOPLE_OPTIONS, type IdentityOptions, type PeopleOptions } from './identity.options.js';
export { OrganizationService } from './organization.service.js';
export { PasswordHasher } from './password-hasher.js';
export { PeopleService, type ClientInfo, type OpenedSession, type SessionContext } from './people.service.js';
