-- Run-event sequence numbers count within their run (1, 2, 3…) instead of across every
-- organization's runs, which revealed platform-wide activity to each tenant.

-- Existing events are renumbered per run, in their order. The table owner runs migrations without
-- BYPASSRLS, so row-level security is relaxed for the owner only while this transaction runs.
ALTER TABLE "sync_run_events" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "sync_run_events" ADD COLUMN "run_seq" INTEGER;
UPDATE "sync_run_events" e SET "run_seq" = n.rn
  FROM (SELECT "seq", row_number() OVER (PARTITION BY "run_id" ORDER BY "seq") AS rn FROM "sync_run_events") n
 WHERE e."seq" = n."seq";
ALTER TABLE "sync_run_events" FORCE ROW LEVEL SECURITY;

DROP INDEX "sync_run_events_org_id_run_id_seq_idx";
ALTER TABLE "sync_run_events" DROP CONSTRAINT "sync_run_events_pkey";
ALTER TABLE "sync_run_events" DROP COLUMN "seq";
ALTER TABLE "sync_run_events" RENAME COLUMN "run_seq" TO "seq";
ALTER TABLE "sync_run_events" ALTER COLUMN "seq" SET NOT NULL;
ALTER TABLE "sync_run_events" ADD CONSTRAINT "sync_run_events_pkey" PRIMARY KEY ("run_id", "seq");
CREATE INDEX "sync_run_events_org_id_run_id_seq_idx" ON "sync_run_events"("org_id", "run_id", "seq");
