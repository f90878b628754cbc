import type { Role } from '../api/types';

export const ROLES: readonly Role[] = ['member', 'moderator', 'admin'];
export const ROLE_HELP: Readonly<Record<Role, string>> = {
  member: 'sees everything, changes nothing',
  moderator: 'also resyncs and edits entities',
  admin: 'also connects tools, changes mappings and manages people',
};
