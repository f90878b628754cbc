-- CreateTable
CREATE TABLE "installation_hooks" (
    "installation_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "hook_id" TEXT NOT NULL,
    "format_version" SMALLINT NOT NULL,
    "key_id" TEXT NOT NULL,
    "encrypted_data_key" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "previous_until" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'off',
    "status_reason" TEXT,
    "registration" JSONB,
    "registered_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "secret_rotated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_hooks_pkey" PRIMARY KEY ("installation_id")
);

-- CreateTable
CREATE TABLE "live_events" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "delivery_id" TEXT,
    "accepted" BOOLEAN NOT NULL,
    "event" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "headers" JSONB,
    "body" JSONB,
    "outcome" JSONB,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),

    CONSTRAINT "live_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "live_event_counts" (
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "received" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "duplicate" INTEGER NOT NULL DEFAULT 0,
    "applied" INTEGER NOT NULL DEFAULT 0,
    "filtered_out" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "superseded" INTEGER NOT NULL DEFAULT 0,
    "dropped" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "live_event_counts_pkey" PRIMARY KEY ("installation_id","kind","minute")
);

-- CreateTable
CREATE TABLE "live_item_versions" (
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_item_versions_pkey" PRIMARY KEY ("installation_id","kind","item_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "installation_hooks_hook_id_key" ON "installation_hooks"("hook_id");

-- CreateIndex
CREATE INDEX "installation_hooks_expires_at_idx" ON "installation_hooks"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "installation_hooks_org_id_installation_id_key" ON "installation_hooks"("org_id", "installation_id");

-- CreateIndex
CREATE INDEX "live_events_installation_id_id_idx" ON "live_events"("installation_id", "id");

-- CreateIndex
CREATE INDEX "live_events_received_at_idx" ON "live_events"("received_at");

-- CreateIndex
CREATE INDEX "live_event_counts_minute_idx" ON "live_event_counts"("minute");

-- AddForeignKey
ALTER TABLE "installation_hooks" ADD CONSTRAINT "installation_hooks_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "live_events" ADD CONSTRAINT "live_events_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "live_event_counts" ADD CONSTRAINT "live_event_counts_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "live_item_versions" ADD CONSTRAINT "live_item_versions_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "installation_hooks" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "installation_hooks" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "installation_hooks" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "live_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "live_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "live_events" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "live_event_counts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "live_event_counts" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "live_event_counts" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "live_item_versions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "live_item_versions" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "live_item_versions" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());

-- An accepted delivery is applied once: the tool's delivery id is unique among accepted ones
-- (refusals and duplicates are log rows and may repeat it).
CREATE UNIQUE INDEX "live_events_accepted_delivery_key" ON "live_events"("installation_id", "delivery_id")
  WHERE accepted AND delivery_id IS NOT NULL;
-- The pending deliveries of an installation, oldest first: what a worker drains.
CREATE INDEX "live_events_pending_idx" ON "live_events"("installation_id", "id") WHERE status = 'pending';

-- The edge knows only the hook id of a delivery, not its organization; workers look for pending
-- deliveries and expiring registrations across organizations. Narrow SECURITY DEFINER functions,
-- as for the other lookups before the org is known (see the init migration).
GRANT SELECT ON "installation_hooks" TO mooring_system;
CREATE POLICY system_lookup ON "installation_hooks" FOR SELECT TO mooring_system USING (true);
GRANT SELECT ("id", "org_id", "integration_id") ON "installations" TO mooring_system;
GRANT SELECT ("org_id", "installation_id", "status", "received_at") ON "live_events" TO mooring_system;
CREATE POLICY system_lookup ON "live_events" FOR SELECT TO mooring_system USING (true);

SET ROLE mooring_system;
CREATE FUNCTION mooring_system.find_installation_hook(p_hook_id text)
  RETURNS TABLE (org_id uuid, installation_id uuid, integration_id text, format_version smallint, key_id text,
                 encrypted_data_key bytea, ciphertext bytea, previous_until timestamptz, secret_rotated_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT h.org_id, h.installation_id, i.integration_id, h.format_version, h.key_id, h.encrypted_data_key,
               h.ciphertext, h.previous_until, h.secret_rotated_at
          FROM public.installation_hooks h JOIN public.installations i ON i.org_id = h.org_id AND i.id = h.installation_id
         WHERE h.hook_id = p_hook_id $$;
REVOKE ALL ON FUNCTION mooring_system.find_installation_hook(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_installation_hook(text) TO mooring_app;

CREATE FUNCTION mooring_system.live_events_waiting(p_received_before timestamptz)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT DISTINCT org_id, installation_id FROM public.live_events
         WHERE status = 'pending' AND received_at < p_received_before $$;
REVOKE ALL ON FUNCTION mooring_system.live_events_waiting(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.live_events_waiting(timestamptz) TO mooring_app;

CREATE FUNCTION mooring_system.hooks_expiring(p_before timestamptz)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT org_id, installation_id FROM public.installation_hooks WHERE expires_at < p_before ORDER BY expires_at $$;
REVOKE ALL ON FUNCTION mooring_system.hooks_expiring(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.hooks_expiring(timestamptz) TO mooring_app;
RESET ROLE;
