-- AlterEnum
ALTER TYPE "sync_run_status" ADD VALUE 'skipped';

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "last_dispatched_at" TIMESTAMPTZ(3),
ADD COLUMN     "max_concurrent_runs" INTEGER NOT NULL DEFAULT 2;

-- AlterTable
ALTER TABLE "installations" ADD COLUMN     "schedule" JSONB NOT NULL DEFAULT '{"type": "interval", "everySeconds": 3600}';

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "dispatched_at" TIMESTAMPTZ(3),
ADD COLUMN     "follow_up_trigger" TEXT,
ADD COLUMN     "scheduled_for" TIMESTAMPTZ(3),
ADD COLUMN     "skipped_for" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "sync_runs_installation_id_scheduled_for_key" ON "sync_runs"("installation_id", "scheduled_for");

-- At most one active (pending or running) run per installation: a resync asked for while one is
-- active gets that run's id back, and a scheduled tick records a skip instead.
CREATE UNIQUE INDEX "sync_runs_one_active_per_installation" ON "sync_runs"("installation_id") WHERE "status" IN ('pending', 'running');
-- The dispatcher's queue: pending runs not yet admitted, oldest first.
CREATE INDEX "sync_runs_awaiting_dispatch" ON "sync_runs"("created_at") WHERE "status" = 'pending' AND "dispatched_at" IS NULL;

-- The scheduler and the dispatcher work across organizations, through SECURITY DEFINER functions
-- owned by mooring_system (see the init migration), each reading or changing only what it needs.
GRANT SELECT ("id", "org_id", "schedule", "enabled", "state") ON "installations" TO mooring_system;
CREATE POLICY system_lookup ON "installations" FOR SELECT TO mooring_system USING (true);
GRANT SELECT ("id", "max_concurrent_runs", "last_dispatched_at"), UPDATE ("last_dispatched_at") ON "organizations" TO mooring_system;
CREATE POLICY system_lookup ON "organizations" FOR SELECT TO mooring_system USING (true);
CREATE POLICY system_dispatch ON "organizations" FOR UPDATE TO mooring_system USING (true) WITH CHECK (true);
GRANT SELECT ("id", "org_id", "installation_id", "status", "created_at", "started_at", "dispatched_at"), UPDATE ("dispatched_at") ON "sync_runs" TO mooring_system;
CREATE POLICY system_lookup ON "sync_runs" FOR SELECT TO mooring_system USING (true);
CREATE POLICY system_dispatch ON "sync_runs" FOR UPDATE TO mooring_system USING (true) WITH CHECK (true);

SET ROLE mooring_system;
-- The installations that should have a schedule registered (enabled, credentials accepted), by id.
CREATE FUNCTION mooring_system.schedulable_installations(p_after uuid, p_limit integer)
  RETURNS TABLE (id uuid, org_id uuid, schedule jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT i.id, i.org_id, i.schedule FROM public.installations i
     WHERE i.enabled AND i.state = 'active' AND (p_after IS NULL OR i.id > p_after)
     ORDER BY i.id
     LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION mooring_system.schedulable_installations(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.schedulable_installations(uuid, integer) TO mooring_app;

-- Admits waiting runs, fairly: an organization never has more than its max_concurrent_runs
-- dispatched or running; organizations take turns (everyone's first waiting run before anyone's
-- second), and among equals the one served longest ago goes first; no more than p_queue_target
-- runs sit dispatched but not started, so ordering is decided here rather than in a deep queue.
-- Replicas take turns on an advisory lock, so two dispatchers cannot both fill the same slot.
CREATE FUNCTION mooring_system.claim_runs_for_dispatch(p_queue_target integer)
  RETURNS TABLE (run_id uuid, org_id uuid, installation_id uuid)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
  DECLARE
    v_room integer;
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('mooring.dispatch'));
    SELECT p_queue_target - count(*) INTO v_room FROM public.sync_runs r
     WHERE r.status = 'pending' AND r.dispatched_at IS NOT NULL;
    IF v_room <= 0 THEN
      RETURN;
    END IF;
    RETURN QUERY
    WITH busy AS (
      SELECT r.org_id, count(*)::integer AS n FROM public.sync_runs r
       WHERE r.status = 'running' OR (r.status = 'pending' AND r.dispatched_at IS NOT NULL)
       GROUP BY r.org_id
    ), ranked AS (
      SELECT r.id, r.org_id, r.installation_id, r.created_at, o.last_dispatched_at,
             row_number() OVER (PARTITION BY r.org_id ORDER BY r.created_at, r.id) AS turn,
             o.max_concurrent_runs - coalesce(b.n, 0) AS free
        FROM public.sync_runs r
        JOIN public.organizations o ON o.id = r.org_id
        LEFT JOIN busy b ON b.org_id = r.org_id
       WHERE r.status = 'pending' AND r.dispatched_at IS NULL
    ), chosen AS (
      SELECT ranked.id FROM ranked WHERE ranked.turn <= ranked.free
       ORDER BY ranked.turn, ranked.last_dispatched_at NULLS FIRST, ranked.created_at
       LIMIT v_room
    ), claimed AS (
      UPDATE public.sync_runs r SET dispatched_at = now() FROM chosen WHERE r.id = chosen.id
      RETURNING r.id, r.org_id, r.installation_id
    ), served AS (
      UPDATE public.organizations o SET last_dispatched_at = now() WHERE o.id IN (SELECT c.org_id FROM claimed c)
    )
    SELECT c.id, c.org_id, c.installation_id FROM claimed c;
  END
  $$;
REVOKE ALL ON FUNCTION mooring_system.claim_runs_for_dispatch(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.claim_runs_for_dispatch(integer) TO mooring_app;

-- Runs admitted a while ago that no worker has started: their job may have been lost between the
-- claim and the enqueue (a dispatcher crash), so they are enqueued again (the job id dedupes).
CREATE FUNCTION mooring_system.dispatched_runs_not_started(p_older_than_ms integer)
  RETURNS TABLE (run_id uuid, org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT r.id, r.org_id, r.installation_id FROM public.sync_runs r
     WHERE r.status = 'pending' AND r.dispatched_at < now() - make_interval(secs => p_older_than_ms / 1000.0)
  $$;
REVOKE ALL ON FUNCTION mooring_system.dispatched_runs_not_started(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.dispatched_runs_not_started(integer) TO mooring_app;

-- The run queue's depth for metrics: waiting for a slot, dispatched, running.
CREATE FUNCTION mooring_system.run_queue_depth()
  RETURNS TABLE (waiting bigint, dispatched bigint, running bigint, oldest_waiting timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT count(*) FILTER (WHERE r.status = 'pending' AND r.dispatched_at IS NULL),
           count(*) FILTER (WHERE r.status = 'pending' AND r.dispatched_at IS NOT NULL),
           count(*) FILTER (WHERE r.status = 'running'),
           min(r.created_at) FILTER (WHERE r.status = 'pending' AND r.dispatched_at IS NULL)
      FROM public.sync_runs r WHERE r.status IN ('pending', 'running')
  $$;
REVOKE ALL ON FUNCTION mooring_system.run_queue_depth() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.run_queue_depth() TO mooring_app;
RESET ROLE;
