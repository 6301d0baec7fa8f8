-- Tables whose rows pgshuttle copies: every relation that stores rows in a
-- user schema (plain tables, partitions, inheritance children, unlogged),
-- largest first. Extension member tables are created by CREATE EXTENSION.
-- Works on 9.5+: columns that newer versions added are read through to_jsonb.
SELECT c.oid::bigint AS oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relpersistence AS persistence,
       coalesce((to_jsonb(c) ->> 'relispartition')::boolean, false) AS is_partition,
       pg_relation_size(c.oid) AS heap_bytes,
       pg_table_size(c.oid) AS bytes,
       greatest(c.reltuples, 0)::bigint AS est_rows,
       current_setting('block_size')::bigint AS block_size,
       (SELECT a.attname
          FROM pg_constraint k
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         WHERE k.conrelid = c.oid AND k.contype = 'p' AND array_length(k.conkey, 1) = 1
           AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS int_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY pg_table_size(c.oid) DESC, n.nspname, c.relname
