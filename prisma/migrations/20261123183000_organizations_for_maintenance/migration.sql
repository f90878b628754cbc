-- Maintenance that runs across organizations (pruning run history) lists them a page at a time
-- through a SECURITY DEFINER function owned by mooring_system (see the init migration); each
-- organization's work then runs in its own tenant transaction.
SET ROLE mooring_system;
CREATE FUNCTION mooring_system.organization_ids(p_after uuid, p_limit integer)
  RETURNS TABLE (id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT o.id FROM public.organizations o
     WHERE p_after IS NULL OR o.id > p_after
     ORDER BY o.id
     LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION mooring_system.organization_ids(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.organization_ids(uuid, integer) TO mooring_app;
RESET ROLE;
