-- May the current role (not a superuser) use replication origins, which
-- 14+ lets a superuser grant: EXECUTE on every pg_replication_origin_*
-- function the applier calls. Without, the applier keeps its position in a
-- progress row instead (cdc/applier_progress.c); validation says which.
SELECT pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_create(text)', 'EXECUTE')
   AND pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_session_setup(text)', 'EXECUTE')
   AND pg_catalog.has_function_privilege(
           'pg_catalog.pg_replication_origin_xact_setup(pg_catalog.pg_lsn, timestamp with time zone)', 'EXECUTE')
   AND pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_progress(text, boolean)', 'EXECUTE')
   AND pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_drop(text)', 'EXECUTE')
   AND pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_session_reset()', 'EXECUTE')
