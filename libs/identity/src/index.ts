export { AccessTokenService, type IssuedToken } from './access-token.service.js';
export { ApiClientService, type CreatedApiClient } from './api-client.service.js';
export type { ClientCredentials } from './client-credentials.js';
export { IdentityModule } from './identity.module.js';
export type { IdentityOptions } from './identity.options.js';
export { OrganizationService } from './organization.service.js';
