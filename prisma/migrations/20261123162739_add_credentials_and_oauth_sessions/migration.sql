-- CreateEnum
CREATE TYPE "auth_method" AS ENUM ('custom_settings', 'oauth2');

-- CreateEnum
CREATE TYPE "installation_state" AS ENUM ('active', 'needs_reauth', 'disabled');

-- CreateEnum
CREATE TYPE "credential_kind" AS ENUM ('settings', 'oauth2');

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "allow_http_hosts" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable (rows from before this migration were created with custom settings: the only way then)
ALTER TABLE "installations" ADD COLUMN     "auth_method" "auth_method" NOT NULL DEFAULT 'custom_settings',
ADD COLUMN     "created_by" UUID,
ADD COLUMN     "enabled" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "state" "installation_state" NOT NULL DEFAULT 'active',
ADD COLUMN     "state_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "state_reason" TEXT;
ALTER TABLE "installations" ALTER COLUMN "auth_method" DROP DEFAULT;

-- CreateTable
CREATE TABLE "installation_credentials" (
    "installation_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "kind" "credential_kind" NOT NULL,
    "format_version" SMALLINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "encrypted_data_key" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "hints" JSONB NOT NULL DEFAULT '{}',
    "expires_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_credentials_pkey" PRIMARY KEY ("org_id","installation_id")
);

-- CreateTable
CREATE TABLE "oauth_connect_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "principal_id" UUID NOT NULL,
    "integration_id" TEXT NOT NULL,
    "installation_id" UUID,
    "name" TEXT,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "return_url" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "format_version" SMALLINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "encrypted_data_key" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_connect_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "installation_credentials_key_id_idx" ON "installation_credentials"("key_id");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_connect_sessions_state_hash_key" ON "oauth_connect_sessions"("state_hash");

-- CreateIndex
CREATE INDEX "oauth_connect_sessions_org_id_expires_at_idx" ON "oauth_connect_sessions"("org_id", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "installations_org_id_id_key" ON "installations"("org_id", "id");

-- AddForeignKey
ALTER TABLE "installation_credentials" ADD CONSTRAINT "installation_credentials_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_connect_sessions" ADD CONSTRAINT "oauth_connect_sessions_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "installation_credentials" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "installation_credentials" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "installation_credentials" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "oauth_connect_sessions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "oauth_connect_sessions" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "oauth_connect_sessions" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());

-- Cross-tenant lookups, as SECURITY DEFINER functions owned by mooring_system (see the init migration).
-- The OAuth callback knows only the state: it claims the session (single use, even when the exchange
-- then fails) and learns the org from it. Reading the rest of the session happens in the tenant.
GRANT SELECT, UPDATE ON "oauth_connect_sessions" TO mooring_system;
CREATE POLICY system_lookup ON "oauth_connect_sessions" FOR SELECT TO mooring_system USING (true);
CREATE POLICY system_claim ON "oauth_connect_sessions" FOR UPDATE TO mooring_system USING (true) WITH CHECK (true);
-- Key rotation (vault:rewrap) lists the credentials whose data key is wrapped under another key.
GRANT SELECT ON "installation_credentials" TO mooring_system;
CREATE POLICY system_lookup ON "installation_credentials" FOR SELECT TO mooring_system USING (true);

SET ROLE mooring_system;
CREATE FUNCTION mooring_system.claim_oauth_connect_session(p_state_hash text)
  RETURNS TABLE (id uuid, org_id uuid, reused boolean, expired boolean)
  LANGUAGE sql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    WITH target AS (
      SELECT s.id, s.consumed_at FROM public.oauth_connect_sessions s WHERE s.state_hash = p_state_hash FOR UPDATE
    )
    UPDATE public.oauth_connect_sessions s
       SET consumed_at = COALESCE(s.consumed_at, now())
      FROM target
     WHERE s.id = target.id
    RETURNING s.id, s.org_id, target.consumed_at IS NOT NULL, s.expires_at <= now()
  $$;
REVOKE ALL ON FUNCTION mooring_system.claim_oauth_connect_session(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.claim_oauth_connect_session(text) TO mooring_app;

CREATE FUNCTION mooring_system.credentials_to_rewrap(p_current_key_id text, p_limit integer)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT c.org_id, c.installation_id FROM public.installation_credentials c
     WHERE c.key_id <> p_current_key_id
     ORDER BY c.org_id, c.installation_id
     LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION mooring_system.credentials_to_rewrap(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.credentials_to_rewrap(text, integer) TO mooring_app;
RESET ROLE;
