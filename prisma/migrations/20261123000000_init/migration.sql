-- Tenancy groundwork. The roles are provisioned by whoever runs the database (tools/lib/postgres.mjs
-- locally, docker/postgres-init.sql with Docker); this migration runs as the owner role.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mooring_app')
     OR NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mooring_system') THEN
    RAISE EXCEPTION 'roles mooring_app and mooring_system must exist before migrating (see docs/operations.md)';
  END IF;
  IF NOT pg_has_role(current_user, 'mooring_system', 'MEMBER') THEN
    RAISE EXCEPTION 'the migration role % must be a member of mooring_system', current_user;
  END IF;
END $$;

-- The organization the current transaction acts for: set with set_config('mooring.org_id', ..., true).
-- Unset means NULL, which matches no row: queries outside a tenant transaction see nothing.
CREATE FUNCTION mooring_current_org() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('mooring.org_id', true), '')::uuid $$;

-- The app role owns nothing; it gets data privileges on every table this role creates.
GRANT USAGE ON SCHEMA public TO mooring_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mooring_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO mooring_app;

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "api_role" AS ENUM ('admin', 'moderator', 'member');

-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_clients" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "api_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_clients_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_clients_client_id_key" ON "api_clients"("client_id");

-- CreateIndex
CREATE INDEX "api_clients_org_id_idx" ON "api_clients"("org_id");

-- AddForeignKey
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "organizations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "organizations" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "organizations" USING (id = mooring_current_org()) WITH CHECK (id = mooring_current_org());
ALTER TABLE "api_clients" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_clients" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "api_clients" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());

-- Cross-tenant lookups the app cannot do through RLS (it does not know the org yet), as narrow
-- SECURITY DEFINER functions owned by the NOLOGIN role mooring_system. That role reads all rows only
-- through policies scoped to it, so nothing else gains a bypass.
CREATE SCHEMA mooring_system AUTHORIZATION mooring_system;
GRANT USAGE ON SCHEMA mooring_system TO mooring_app;
GRANT SELECT ON "api_clients" TO mooring_system;
CREATE POLICY system_lookup ON "api_clients" FOR SELECT TO mooring_system USING (true);

SET ROLE mooring_system;
CREATE FUNCTION mooring_system.find_api_client(p_client_id text)
  RETURNS TABLE (id uuid, org_id uuid, secret_hash text, role api_role, revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT id, org_id, secret_hash, role, revoked_at FROM public.api_clients WHERE client_id = p_client_id $$;
REVOKE ALL ON FUNCTION mooring_system.find_api_client(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_api_client(text) TO mooring_app;
RESET ROLE;
