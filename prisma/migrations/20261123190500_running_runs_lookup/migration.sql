-- The dispatcher's sweep looks across organizations for running runs whose job is gone (a worker
-- that crashed more often than BullMQ retries a stalled job): it ends them, so the installation's
-- one-active-run slot is not held forever.
SET ROLE mooring_system;
CREATE FUNCTION mooring_system.running_runs_started_before(p_older_than_ms integer)
  RETURNS TABLE (run_id uuid, org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT r.id, r.org_id, r.installation_id FROM public.sync_runs r
     WHERE r.status = 'running' AND r.started_at < now() - make_interval(secs => p_older_than_ms / 1000.0)
  $$;
REVOKE ALL ON FUNCTION mooring_system.running_runs_started_before(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.running_runs_started_before(integer) TO mooring_app;
RESET ROLE;
