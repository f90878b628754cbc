export const ROLES: { owner: 'mooring_owner'; app: 'mooring_app'; system: 'mooring_system' };
export function provisionRoles(adminUrl: string, passwords: Record<string, string>): Promise<void>;
export function createDatabase(adminUrl: string, name: string, options?: { template?: string }): Promise<void>;
export function dropDatabase(adminUrl: string, name: string): Promise<void>;
