// Row-level security for every table a migration creates with an org_id column, so a new tenant
// table cannot ship without it. The policy functions are defined in the init migration.

const CREATE_TABLE = /CREATE TABLE "([^"]+)" \(([\s\S]*?)\n\);/g;

export function tenantTablePolicies(ddl) {
  const statements = [];
  for (const [, table, body] of ddl.matchAll(CREATE_TABLE)) {
    if (!/^\s*"org_id"\s/m.test(body)) continue;
    statements.push(
      `ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY;`,
      `ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY;`,
      `CREATE POLICY tenant_isolation ON "${table}" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());`,
    );
  }
  return statements.length
    ? `-- Row-level security: rows are visible only to the organization set for the transaction.\n${statements.join('\n')}\n`
    : '';
}
