-- pgshuttle validate (Replication privilege): may the current role open a
-- replication connection? rds_replication is AWS RDS/Aurora's role for it
-- (NULL where that role does not exist).
SELECT r.rolname,
       r.rolsuper,
       r.rolreplication,
       (SELECT pg_catalog.pg_has_role(x.oid, 'MEMBER')
          FROM pg_catalog.pg_roles x
         WHERE x.rolname = 'rds_replication') AS rds_replication
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = current_user
