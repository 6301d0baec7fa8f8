-- pgshuttle validate (Long-running transactions): the sessions on the source
-- that would delay the creation of a replication slot or have held a
-- snapshot for long. Reported are
--   - sessions idle in transaction that hold a transaction ID, whatever their
--     age: creating a slot waits for every transaction that has an xid, and
--     an idle session may never end on its own;
--   - transactions open longer than $1 (an interval), in any state.
-- Sessions of other roles show no transaction details to a role that is not
-- a superuser or a member of pg_read_all_stats (10+): they are not listed.
-- Works on 9.5+ (backend_xid since 9.4).
SELECT a.pid,
       a.datname,
       a.usename,
       a.state,
       a.backend_xid IS NOT NULL AS has_xid,
       pg_catalog.floor(EXTRACT(epoch FROM pg_catalog.now() - a.xact_start))::bigint AS age_seconds
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid <> pg_catalog.pg_backend_pid()
   AND a.xact_start IS NOT NULL
   AND ((a.backend_xid IS NOT NULL AND a.state LIKE 'idle in transaction%')
        OR a.xact_start < pg_catalog.now() - $1::interval)
 ORDER BY a.xact_start, a.pid
