-- The tables an online migration streams: permanent ordinary and
-- partitioned tables outside the system schemas and extensions, with what
-- decides how they are published: whether UPDATE and DELETE can be
-- identified (a primary key, a replica identity index, or REPLICA IDENTITY
-- FULL), and whether they are partitions or partitioned roots.
SELECT c.oid AS oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind AS relkind,
       c.relreplident AS replident,
       coalesce((to_jsonb(c) ->> 'relispartition')::boolean, false) AS is_partition,
       (c.relreplident = 'f'
        OR (c.relreplident = 'd'
            AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
        OR (c.relreplident = 'i'
            AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
         AS identified
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname
