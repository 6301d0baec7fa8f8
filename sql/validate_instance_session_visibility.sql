-- pgshuttle validate (Long-running transactions): can the current role see
-- the transactions of every session (superuser, or pg_read_all_stats on 10+)?
SELECT r.rolsuper
       OR COALESCE((SELECT pg_catalog.pg_has_role(x.oid, 'USAGE')
                      FROM pg_catalog.pg_roles x
                     WHERE x.rolname = 'pg_read_all_stats'), false) AS sees_all
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = current_user
