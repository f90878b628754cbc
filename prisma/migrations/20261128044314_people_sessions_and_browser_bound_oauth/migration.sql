-- AlterTable
ALTER TABLE "installations" ADD COLUMN     "provider_account" JSONB;

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "actor_name" TEXT;

-- AlterTable
ALTER TABLE "oauth_connect_sessions" ADD COLUMN     "browser_hash" TEXT,
ADD COLUMN     "confirmed_at" TIMESTAMPTZ(3),
ADD COLUMN     "pending_account" JSONB,
ADD COLUMN     "principal_kind" TEXT NOT NULL DEFAULT 'api_client';

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "api_role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "csrf_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "user_agent" TEXT,
    "address" TEXT,

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" "api_role" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "invited_by_kind" TEXT NOT NULL,
    "invited_by_id" UUID NOT NULL,
    "invited_by_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_user_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_org_id_idx" ON "users"("org_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_org_id_id_key" ON "users"("org_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "user_sessions_token_hash_key" ON "user_sessions"("token_hash");

-- CreateIndex
CREATE INDEX "user_sessions_org_id_user_id_idx" ON "user_sessions"("org_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");

-- CreateIndex
CREATE INDEX "invitations_org_id_created_at_idx" ON "invitations"("org_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_org_id_user_id_fkey" FOREIGN KEY ("org_id", "user_id") REFERENCES "users"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "users" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "user_sessions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "user_sessions" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "user_sessions" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "invitations" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "invitations" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());

-- Cross-tenant lookups made before the organization is known, as SECURITY DEFINER functions owned
-- by mooring_system (see the init migration): signing in knows only an email, a request only its
-- session cookie, an invitation link only its token. Each returns what that one step needs.
GRANT SELECT ON "users" TO mooring_system;
CREATE POLICY system_lookup ON "users" FOR SELECT TO mooring_system USING (true);
GRANT SELECT ON "user_sessions" TO mooring_system;
CREATE POLICY system_lookup ON "user_sessions" FOR SELECT TO mooring_system USING (true);
GRANT SELECT ON "invitations" TO mooring_system;
CREATE POLICY system_lookup ON "invitations" FOR SELECT TO mooring_system USING (true);
GRANT SELECT ("name") ON "organizations" TO mooring_system;

SET ROLE mooring_system;
CREATE FUNCTION mooring_system.find_user_for_sign_in(p_email text)
  RETURNS TABLE (id uuid, org_id uuid, password_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT u.id, u.org_id, u.password_hash FROM public.users u WHERE u.email = p_email $$;
REVOKE ALL ON FUNCTION mooring_system.find_user_for_sign_in(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_user_for_sign_in(text) TO mooring_app;

CREATE FUNCTION mooring_system.find_user_session(p_token_hash text)
  RETURNS TABLE (id uuid, org_id uuid, user_id uuid, csrf_hash text, last_seen_at timestamptz, expires_at timestamptz,
                 email text, name text, role api_role)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT s.id, s.org_id, s.user_id, s.csrf_hash, s.last_seen_at, s.expires_at, u.email, u.name, u.role
      FROM public.user_sessions s JOIN public.users u ON u.org_id = s.org_id AND u.id = s.user_id
     WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL
  $$;
REVOKE ALL ON FUNCTION mooring_system.find_user_session(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_user_session(text) TO mooring_app;

CREATE FUNCTION mooring_system.find_invitation(p_token_hash text)
  RETURNS TABLE (id uuid, org_id uuid, organization_name text, email text, role api_role, expires_at timestamptz,
                 accepted_at timestamptz, revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT i.id, i.org_id, o.name, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at
      FROM public.invitations i JOIN public.organizations o ON o.id = i.org_id
     WHERE i.token_hash = p_token_hash
  $$;
REVOKE ALL ON FUNCTION mooring_system.find_invitation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_invitation(text) TO mooring_app;
RESET ROLE;
