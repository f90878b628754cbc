-- CreateTable
CREATE TABLE "sync_run_events" (
    "seq" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "sync_run_events_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "sync_run_events_org_id_run_id_seq_idx" ON "sync_run_events"("org_id", "run_id", "seq");

-- AddForeignKey
ALTER TABLE "sync_run_events" ADD CONSTRAINT "sync_run_events_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: rows are visible only to the organization set for the transaction.
ALTER TABLE "sync_run_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "sync_run_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "sync_run_events" USING (org_id = mooring_current_org()) WITH CHECK (org_id = mooring_current_org());

-- Active runs (pending or running) of an installation, found without walking its history: the
-- overview and the one-active-run checks read them. Partial, so Prisma's schema cannot declare it.
CREATE INDEX "sync_runs_active_idx" ON "sync_runs"("org_id", "installation_id") WHERE "status" IN ('pending', 'running');
