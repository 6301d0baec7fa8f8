-- pgshuttle validate (Source read privileges): the large objects the current
-- role may not read when lo_compat_privileges is off: it neither has the
-- owner's privileges nor SELECT granted to it, to a role it belongs to or to
-- PUBLIC (a NULL ACL means the owner's default). At most $1 rows, each with
-- the total count.
SELECT m.oid::bigint AS oid,
       pg_catalog.count(*) OVER () AS total
  FROM pg_catalog.pg_largeobject_metadata m
 WHERE NOT EXISTS (SELECT 1
                     FROM pg_catalog.aclexplode(COALESCE(m.lomacl,
                                                         pg_catalog.acldefault('L', m.lomowner))) a
                    WHERE a.privilege_type = 'SELECT'
                      AND (a.grantee = 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE')))
 ORDER BY m.oid
 LIMIT $1::int
