-- The platform App's one webhook routes a delivery only to installations on the App's own GitHub:
-- App and installation ids are numbered per GitHub instance, so installation 7 of App 12 on a
-- GitHub Enterprise Server is not installation 7 of App 12 on github.com. The edge passes the App's
-- normalized API base URL; an installation's is derived from its `host` setting as the GitHub
-- integration derives it (github.com when empty, https://HOST/api/v3 otherwise).

-- Strict on purpose: a `host` that is not a plain http(s) origin (optionally with a path) has no
-- API base here and routes nowhere, so no spelling can pass for another instance.
SET ROLE mooring_system;
CREATE FUNCTION mooring_system.github_api_base(p_host text)
  RETURNS text
  LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog
  AS $$
    SELECT CASE
      WHEN coalesce(p_host, '') = '' THEN 'https://api.github.com'
      WHEN m IS NULL OR length(coalesce(m[3], '')) > 5 THEN NULL
      ELSE (SELECT CASE
                     WHEN port > 65535 THEN NULL
                     WHEN m[2] IN ('github.com', 'api.github.com') AND m[1] = 'https' AND port = 443
                       THEN 'https://api.github.com'
                     WHEN port = CASE m[1] WHEN 'https' THEN 443 ELSE 80 END THEN m[1] || '://' || m[2] || '/api/v3'
                     ELSE m[1] || '://' || m[2] || ':' || port || '/api/v3'
                   END
              FROM (SELECT coalesce(m[3]::int, CASE m[1] WHEN 'https' THEN 443 ELSE 80 END) AS port) AS p)
    END
    FROM (SELECT regexp_match(lower(p_host), '^(https?)://([a-z0-9.-]+)(?::([0-9]+))?(?:[/?#].*)?$') AS m) AS parsed
  $$;
REVOKE ALL ON FUNCTION mooring_system.github_api_base(text) FROM PUBLIC;

DROP FUNCTION mooring_system.find_app_installations(text, text, text);
CREATE FUNCTION mooring_system.find_app_installations(p_integration_id text, p_api_base text, p_app_id text, p_external_id text)
  RETURNS TABLE (org_id uuid, installation_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, public
  AS $$ SELECT i.org_id, i.id FROM public.installations i
         WHERE i.settings ? 'installationId' AND i.settings->>'installationId' = p_external_id
           AND i.integration_id = p_integration_id AND i.settings->>'appId' = p_app_id
           AND mooring_system.github_api_base(i.settings->>'host') = p_api_base
         ORDER BY i.org_id, i.id LIMIT 20 $$;
REVOKE ALL ON FUNCTION mooring_system.find_app_installations(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mooring_system.find_app_installations(text, text, text, text) TO mooring_app;
RESET ROLE;
