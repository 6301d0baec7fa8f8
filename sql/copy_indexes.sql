-- Indexes pgshuttle builds itself, in parallel, as soon as their table's
-- data is in: the valid indexes of every copied table, partitions included
-- (pg_restore later creates the partitioned parents' indexes and attaches
-- these to them). Constraint-backed ones (primary key, unique, exclusion)
-- come with their constraint.
SELECT i.indexrelid::bigint AS oid,
       i.indrelid::bigint AS table_oid,
       n.nspname AS schema,
       ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS indexdef,
       pg_relation_size(i.indexrelid) AS bytes,
       i.indisclustered AS is_clustered,
       i.indisreplident AS is_replident,
       k.oid::bigint AS constraint_oid,
       k.conname AS constraint_name,
       k.contype AS constraint_type,
       CASE WHEN k.oid IS NOT NULL THEN pg_get_constraintdef(k.oid) END AS constraint_def,
       coalesce(k.condeferrable, false) AS is_deferrable,
       coalesce(k.condeferred, false) AS is_deferred,
       (i.indexprs IS NULL AND i.indpred IS NULL AND am.amname = 'btree') AS simple_btree,
       (SELECT string_agg(a.attnum || '=' || (to_jsonb(a) ->> 'attstattarget'), ',' ORDER BY a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = i.indexrelid
           AND coalesce((to_jsonb(a) ->> 'attstattarget')::int, -1) >= 0) AS stat_targets
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = ic.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                           AND k.contype IN ('p', 'u', 'x')
 WHERE i.indrelid = ANY ($1::oid[])
   AND i.indisvalid
 ORDER BY pg_relation_size(i.indrelid) DESC, i.indexrelid
