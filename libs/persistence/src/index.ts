export { AUDIT_ACTIONS, writeAudit, type AuditAction, type AuditEntry } from './audit.js';
export { Database, type DatabaseOptions } from './database.js';
export { PersistenceModule } from './persistence.module.js';
export * from './records.js';
export { ApiClientRepository } from './repositories/api-client.repository.js';
export { AuditRepository, type AuditQuery } from './repositories/audit.repository.js';
export { InstallationRepository } from './repositories/installation.repository.js';
export { OrganizationRepository } from './repositories/organization.repository.js';
