-- Tables whose UPDATEs and DELETEs logical decoding cannot identify: no
-- replica identity (NOTHING), DEFAULT without a primary key, or USING INDEX
-- whose index is gone. Unlogged tables are left out (nothing of them is
-- decoded) and so are extension members. candidate_index names a unique,
-- immediate, non-partial index on NOT NULL columns that REPLICA IDENTITY
-- USING INDEX could take; size_bytes helps to weigh REPLICA IDENTITY FULL.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relreplident AS replident,
       (SELECT ic.relname
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indisvalid
           AND i.indpred IS NULL AND i.indexprs IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey::int2[])
                              AND NOT a.attnotnull)
         ORDER BY i.indnatts, ic.relname
         LIMIT 1) AS candidate_index,
       pg_table_size(c.oid) AS size_bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   AND (c.relreplident = 'n'
        OR (c.relreplident = 'd'
            AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
        OR (c.relreplident = 'i'
            AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
 ORDER BY n.nspname, c.relname
