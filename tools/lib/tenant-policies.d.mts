export function tenantTablePolicies(ddl: string): string;
