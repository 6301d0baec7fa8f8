-- pgshuttle validate (Target object owners): the roles that own objects of
-- this database which the copy gives back their owner on the target
-- (ALTER ... OWNER TO, ALTER LARGE OBJECT ... OWNER TO) or whose privileges
-- it uses (setval on sequences at the end): schemas, relations, functions
-- and large objects outside the system schemas and extensions, with
-- what each owns (for the message). Not the public schema, which pg_dump
-- leaves to the new database's own, nor pg_database_owner.
WITH owned AS (
    SELECT c.relowner AS owner,
           CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS what
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT n.nspowner, 'schema'
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
       AND n.nspname !~ '^pg_'
    UNION ALL
    SELECT p.proowner, 'function'
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT m.lomowner, 'large object'
      FROM pg_catalog.pg_largeobject_metadata m
)
SELECT pg_catalog.pg_get_userbyid(owner) AS owner,
       pg_catalog.string_agg(DISTINCT what, ', ') AS what
  FROM owned
 WHERE pg_catalog.pg_get_userbyid(owner) <> 'pg_database_owner'
 GROUP BY owner
 ORDER BY 1
