export { Database, type DatabaseOptions } from './database.js';
export { PersistenceModule } from './persistence.module.js';
export * from './records.js';
export { ApiClientRepository } from './repositories/api-client.repository.js';
export { ConnectSessionRepository } from './repositories/connect-session.repository.js';
export {
  CredentialRepository,
  type LockedCredential,
  type LockedCredentialOutcome,
} from './repositories/credential.repository.js';
export { InstallationRepository } from './repositories/installation.repository.js';
export { OrganizationRepository } from './repositories/organization.repository.js';
