-- A delivery's body (a GitHub pull_request payload is ~25 kB) is compressed when stored, inside the
-- edge's transaction: lz4 costs a fraction of pglz there (docs/benchmarks.md, webhooks). Rows stored
-- before keep pglz, and both read the same. A server built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE "live_events" ALTER COLUMN "body" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: live_events.body stays compressed with pglz';
END $$;
