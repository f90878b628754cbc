-- CreateEnum
CREATE TYPE "sync_run_status" AS ENUM ('pending', 'running', 'completed', 'failed', 'aborted');

-- CreateTable
CREATE TABLE "blueprints" (
    "org_id" UUID NOT NULL,
    "identifier" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "icon" TEXT,
    "description" TEXT,
    "schema" JSONB NOT NULL,
    "relations" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blueprints_pkey" PRIMARY KEY ("org_id","identifier")
);

-- CreateTable
CREATE TABLE "entities" (
    "org_id" UUID NOT NULL,
    "blueprint" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "title" TEXT,
    "icon" TEXT,
    "team" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "properties" JSONB NOT NULL DEFAULT '{}',
    "relations" JSONB NOT NULL DEFAULT '{}',
    "installation_id" UUID,
    "resource_key" TEXT,
    "content_hash" TEXT,
    "placeholder" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entities_pkey" PRIMARY KEY ("org_id","blueprint","identifier")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "status" "sync_run_status" NOT NULL DEFAULT 'pending',
    "trigger" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "mapping_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error_code" TEXT,
    "error_message" TEXT,
    "reingested" INTEGER NOT NULL DEFAULT 0,
    "reingest_failed" INTEGER NOT NULL DEFAULT 0,
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "delete_failed" INTEGER NOT NULL DEFAULT 0,
    "reconcile_ms" INTEGER,
    "deletion_decision" TEXT,
    "deletion_reason" TEXT,
    "deletion_details" JSONB,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_run_resources" (
    "run_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "resource_index" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "blueprint" TEXT,
    "status" "sync_run_status" NOT NULL DEFAULT 'pending',
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "fetch_failed" INTEGER NOT NULL DEFAULT 0,
    "transformed" INTEGER NOT NULL DEFAULT 0,
    "filtered_out" INTEGER NOT NULL DEFAULT 0,
    "transform_failed" INTEGER NOT NULL DEFAULT 0,
    "ingested" INTEGER NOT NULL DEFAULT 0,
    "not_changed" INTEGER NOT NULL DEFAULT 0,
    "ingest_failed" INTEGER NOT NULL DEFAULT 0,
    "extract_ms" INTEGER NOT NULL DEFAULT 0,
    "transform_ms" INTEGER NOT NULL DEFAULT 0,
    "load_ms" INTEGER NOT NULL DEFAULT 0,
    "error_samples" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "sync_run_resources_pkey" PRIMARY KEY ("run_id","resource_index")
);

-- CreateTable (UNLOGGED and without a foreign key: per-run scratch data that a retried run rebuilds, written at sync speed)
CREATE UNLOGGED TABLE "sync_seen_keys" (
    "run_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "blueprint" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,

    CONSTRAINT "sync_seen_keys_pkey" PRIMARY KEY ("run_id","blueprint","identifier")
);

-- CreateTable
CREATE TABLE "sync_pending_entities" (
    "run_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "blueprint" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "resource_index" INTEGER NOT NULL,
    "entity" JSONB NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "sync_pending_entities_pkey" PRIMARY KEY ("run_id","blueprint","identifier")
);

-- CreateTable
CREATE TABLE "raw_samples" (
    "org_id" UUID NOT NULL,
    "installation_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "items" JSONB NOT NULL,
    "run_id" UUID,
    "captured_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "raw_samples_pkey" PRIMARY KEY ("installation_id","kind")
);

-- CreateIndex
CREATE INDEX "entities_org_id_installation_id_blueprint_idx" ON "entities"("org_id", "installation_id", "blueprint");

-- CreateIndex
CREATE INDEX "sync_runs_org_id_installation_id_created_at_idx" ON "sync_runs"("org_id", "installation_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "raw_samples_org_id_idx" ON "raw_samples"("org_id");

-- AddForeignKey
ALTER TABLE "blueprints" ADD CONSTRAINT "blueprints_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entities" ADD CONSTRAINT "entities_org_id_blueprint_fkey" FOREIGN KEY ("org_id", "blueprint") REFERENCES "blueprints"("org_id", "identifier") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entities" ADD CONSTRAINT "entities_installation_id_fkey" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_installation_id_fkey" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_run_resources" ADD CONSTRAINT "sync_run_resources_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_pending_entities" ADD CONSTRAINT "sync_pending_entities_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "raw_samples" ADD CONSTRAINT "raw_samples_installation_id_fkey" FOREIGN KEY ("installation_id") REFERENCES "installations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "blueprints" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "blueprints" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "blueprints" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "entities" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "entities" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "entities" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "sync_runs" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sync_runs" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "sync_runs" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "sync_run_resources" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sync_run_resources" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "sync_run_resources" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "sync_seen_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sync_seen_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "sync_seen_keys" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "sync_pending_entities" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sync_pending_entities" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "sync_pending_entities" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
ALTER TABLE "raw_samples" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "raw_samples" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "raw_samples" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());
