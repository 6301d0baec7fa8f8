-- pgshuttle validate (Long-running transactions): prepared transactions on
-- the source. Each holds its transaction ID until COMMIT PREPARED or
-- ROLLBACK PREPARED, so creating a replication slot waits for it.
SELECT p.gid,
       p.database,
       p.owner,
       pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.now() - p.prepared))::bigint AS age_seconds
  FROM pg_catalog.pg_prepared_xacts p
 ORDER BY p.prepared, p.gid
