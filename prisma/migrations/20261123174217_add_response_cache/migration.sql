-- CreateTable
CREATE TABLE "response_cache_entries" (
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "response_cache_entries_pkey" PRIMARY KEY ("org_id","installation_id","url")
);

-- CreateIndex
CREATE INDEX "response_cache_entries_org_id_installation_id_used_at_idx" ON "response_cache_entries"("org_id", "installation_id", "used_at");

-- AddForeignKey
ALTER TABLE "response_cache_entries" ADD CONSTRAINT "response_cache_entries_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "response_cache_entries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "response_cache_entries" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "response_cache_entries" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
