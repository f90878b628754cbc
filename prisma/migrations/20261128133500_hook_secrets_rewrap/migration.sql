-- Key rotation re-wraps hooks' sealed secrets too: their work list, as credentials_to_rewrap.
SET ROLE mooring_system;
CREATE FUNCTION mooring_system.hook_secrets_to_rewrap(p_current_key_id text, p_limit integer)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$
    SELECT h.org_id, h.installation_id FROM public.installation_hooks h
     WHERE h.key_id <> p_current_key_id
     ORDER BY h.org_id, h.installation_id
     LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION mooring_system.hook_secrets_to_rewrap(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.hook_secrets_to_rewrap(text, integer) TO mooring_app;
RESET ROLE;
