-- Relations whose changes logical decoding does not carry: unlogged tables
-- (not in the WAL), materialized views (refreshes are not decoded),
-- foreign tables (their rows live elsewhere) and sequences (logical
-- decoding does not carry them: pgshuttle sets them at cutover).
-- Extension members are left out.
SELECT CASE WHEN c.relkind = 'S' THEN 'sequence'
            WHEN c.relkind = 'm' THEN 'matview'
            WHEN c.relkind = 'f' THEN 'foreign'
            ELSE 'unlogged' END AS kind,
       format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE (c.relkind IN ('S', 'm', 'f') OR (c.relkind IN ('r', 'p') AND c.relpersistence = 'u'))
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1, n.nspname, c.relname
