-- CreateTable
CREATE TABLE "platform_app_installations" (
    "installation_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "integration_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "account" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "platform_app_installations_pkey" PRIMARY KEY ("installation_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "platform_app_installations_integration_id_external_id_key" ON "platform_app_installations"("integration_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "platform_app_installations_org_id_installation_id_key" ON "platform_app_installations"("org_id", "installation_id");

-- AddForeignKey
ALTER TABLE "platform_app_installations" ADD CONSTRAINT "platform_app_installations_org_id_installation_id_fkey" FOREIGN KEY ("org_id", "installation_id") REFERENCES "installations"("org_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "platform_app_installations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "platform_app_installations" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "platform_app_installations" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
