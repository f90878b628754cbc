-- CreateTable
CREATE TABLE "installations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "integration_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mapping" JSONB NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "installations_org_id_integration_id_idx" ON "installations"("org_id", "integration_id");

-- CreateIndex
CREATE UNIQUE INDEX "installations_org_id_name_key" ON "installations"("org_id", "name");

-- AddForeignKey
ALTER TABLE "installations" ADD CONSTRAINT "installations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "installations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "installations" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "installations" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
