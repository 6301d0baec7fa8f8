-- What the trigger-less apply path (docs/ONLINE.md, Roles without
-- superuser) creates on the target only at cutover, as this database has
-- it: foreign keys (those of partitioned tables once, at the root), user
-- triggers on tables (not the internal ones of foreign keys, not the clones
-- a partitioned table's trigger gives its partitions) and rules on tables
-- (not the _RETURN rule of views); outside the system schemas and
-- extensions. Run on the source to know what to create, and on the target
-- to know what it has already. Definitions are those of an empty
-- search_path, so fully qualified.
WITH user_tables AS (
    SELECT c.oid, c.relkind, n.nspname, pg_catalog.format('%I.%I', n.nspname, c.relname) AS qname
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_(toast|temp_)'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT 'f' AS kind, 'pg_catalog.pg_constraint'::pg_catalog.regclass::oid AS catalog, k.oid AS oid,
       t.nspname AS schema, t.qname AS tbl, t.relkind = 'p' AS partitioned, k.conname AS name,
       pg_catalog.pg_get_constraintdef(k.oid) AS definition, 'O' AS enabled,
       pg_catalog.obj_description(k.oid, 'pg_constraint') AS comment
  FROM pg_catalog.pg_constraint k
  JOIN user_tables t ON t.oid = k.conrelid
 WHERE k.contype = 'f' AND coalesce((to_jsonb(k) ->> 'conparentid')::oid, 0) = 0
UNION ALL
SELECT 't', 'pg_catalog.pg_trigger'::pg_catalog.regclass::oid, g.oid, t.nspname, t.qname,
       t.relkind = 'p', g.tgname, pg_catalog.pg_get_triggerdef(g.oid, false), g.tgenabled::text,
       pg_catalog.obj_description(g.oid, 'pg_trigger')
  FROM pg_catalog.pg_trigger g
  JOIN user_tables t ON t.oid = g.tgrelid
 WHERE NOT g.tgisinternal AND coalesce((to_jsonb(g) ->> 'tgparentid')::oid, 0) = 0
UNION ALL
SELECT 'r', 'pg_catalog.pg_rewrite'::pg_catalog.regclass::oid, r.oid, t.nspname, t.qname,
       t.relkind = 'p', r.rulename, pg_catalog.pg_get_ruledef(r.oid), r.ev_enabled::text,
       pg_catalog.obj_description(r.oid, 'pg_rewrite')
  FROM pg_catalog.pg_rewrite r
  JOIN user_tables t ON t.oid = r.ev_class
 WHERE r.rulename <> '_RETURN'
 ORDER BY 1, 5, 7
