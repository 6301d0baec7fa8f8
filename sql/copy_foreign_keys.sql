-- Foreign keys pgshuttle adds itself once every index is built: those
-- between copied plain tables ($1: table oids as text[]) that are not
-- inherited from a partitioned parent. pg_restore adds the others.
SELECT k.oid::bigint AS oid,
       k.conrelid::bigint AS table_oid,
       k.confrelid::bigint AS ref_table_oid,
       k.conname AS name,
       pg_get_constraintdef(k.oid) AS definition
  FROM pg_constraint k
  JOIN pg_class tc ON tc.oid = k.conrelid
 WHERE k.contype = 'f'
   AND k.conrelid = ANY ($1::oid[])
   AND k.confrelid = ANY ($1::oid[])
   AND coalesce((to_jsonb(k) ->> 'conparentid')::oid, 0) = 0
   AND NOT coalesce((to_jsonb(tc) ->> 'relispartition')::boolean, false)
 ORDER BY k.oid
