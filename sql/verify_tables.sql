-- pgshuttle verify: the relations whose rows verify compares, one row per
-- column (a zero-column table gives one row with a NULL column): tables that
-- store rows (plain, partitions, inheritance parents and children, unlogged)
-- and materialized views, in user schemas, without extension members.
--   send_fn       binary send function (in pg_catalog) for columns whose text form depends on
--                 float output, which changed in PostgreSQL 12 (float4, float8
--                 and the geometric types, also through domains)
--   elem_send_fn  the same for the elements of an array column of such a type
-- Works on 9.5+. The built-in type OIDs are fixed: 700 float4, 701 float8,
-- 600 point, 601 lseg, 602 path, 603 box, 604 polygon, 628 line, 718 circle.
WITH RECURSIVE base(oid, base) AS (
    -- every type with the type it is a domain over (itself if not a domain)
    SELECT t.oid, t.oid FROM pg_catalog.pg_type t WHERE t.typtype <> 'd'
    UNION ALL
    SELECT t.oid, b.base FROM pg_catalog.pg_type t JOIN base b ON b.oid = t.typbasetype
     WHERE t.typtype = 'd'
), sendable(oid, send_fn, elem_send_fn) AS (
    SELECT b.oid,
           CASE WHEN bt.oid IN (700, 701, 600, 601, 602, 603, 604, 628, 718)
                THEN (SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.oid = bt.typsend) END,
           CASE WHEN bt.typlen = -1 AND bt.typelem <> 0 AND et.oid IN (700, 701, 600, 601, 602, 603, 604, 628, 718)
                THEN (SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.oid = et.typsend) END
      FROM base b
      JOIN pg_catalog.pg_type bt ON bt.oid = b.base
      LEFT JOIN base eb ON eb.oid = bt.typelem
      LEFT JOIN pg_catalog.pg_type et ON et.oid = eb.base
)
SELECT c.oid::pg_catalog.int8 AS oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind AS kind,
       c.relispopulated AS populated,
       pg_catalog.pg_relation_size(c.oid) AS bytes,
       a.attname AS column_name,
       s.send_fn,
       s.elem_send_fn
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a
         ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN sendable s ON s.oid = a.atttypid
 WHERE c.relkind IN ('r', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY c.oid, a.attnum
