-- Deletion safety: a per-installation drop guard, runs that accept a drop once, and the runs whose
-- fetch counts later runs compare with.
ALTER TABLE "installations" ADD COLUMN     "max_fetch_drop" DOUBLE PRECISION NOT NULL DEFAULT 0.5;

ALTER TABLE "sync_runs" ADD COLUMN     "accept_fetch_drop" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "fetch_baseline" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lease_until" TIMESTAMPTZ(3);

-- Until now every completed run was the baseline.
UPDATE "sync_runs" SET "fetch_baseline" = true WHERE "status" = 'completed';

ALTER TABLE "sync_run_resources" ADD COLUMN     "seen_keys" INTEGER;

-- Seen keys must survive a crash (crash recovery empties an unlogged table, and a standby never
-- has one): a resumed attempt deletes whatever the keys of the resources it keeps do not cover.
-- Keys staged before this migration belong to no resource (-1), so no resource is kept on them.
ALTER TABLE "sync_seen_keys" SET LOGGED;
ALTER TABLE "sync_seen_keys" ADD COLUMN     "resource_index" INTEGER NOT NULL DEFAULT -1;
ALTER TABLE "sync_seen_keys" ALTER COLUMN "resource_index" DROP DEFAULT;

-- The dispatcher's sweep ends a running run only when its worker's lease has run out: a missing
-- queue job alone (Redis restarted empty) is no proof that the worker died.
GRANT SELECT ("lease_until") ON "sync_runs" TO mooring_system;
SET ROLE mooring_system;
DROP FUNCTION mooring_system.running_runs_started_before(integer);
CREATE FUNCTION mooring_system.running_runs_unheld(p_older_than_ms integer)
  RETURNS TABLE (run_id uuid, org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT r.id, r.org_id, r.installation_id FROM public.sync_runs r
     WHERE r.status = 'running' AND r.started_at < now() - make_interval(secs => p_older_than_ms / 1000.0)
       AND (r.lease_until IS NULL OR r.lease_until < now())
  $$;
REVOKE ALL ON FUNCTION mooring_system.running_runs_unheld(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.running_runs_unheld(integer) TO mooring_app;
RESET ROLE;
