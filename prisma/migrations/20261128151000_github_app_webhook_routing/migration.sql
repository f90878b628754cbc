-- A GitHub App has one webhook for all its installations: the edge finds the Mooring installations
-- authenticated as a delivery's App installation (`settings.appId`, `settings.installationId`)
-- before the organization is known. A narrow SECURITY DEFINER lookup, as for hook ids.
CREATE INDEX "installations_app_installation_idx" ON "installations" (("settings"->>'installationId'))
  WHERE "settings" ? 'installationId';
GRANT SELECT ("settings") ON "installations" TO mooring_system;

SET ROLE mooring_system;
CREATE FUNCTION mooring_system.find_app_installations(p_integration_id text, p_app_id text, p_external_id text)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT i.org_id, i.id FROM public.installations i
         WHERE i.settings ? 'installationId' AND i.settings->>'installationId' = p_external_id
           AND i.integration_id = p_integration_id AND i.settings->>'appId' = p_app_id
         ORDER BY i.org_id, i.id LIMIT 20 $$;
REVOKE ALL ON FUNCTION mooring_system.find_app_installations(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_app_installations(text, text, text) TO mooring_app;
RESET ROLE;
