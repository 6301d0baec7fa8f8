-- Columns, in attnum order, of every user table that takes part in
-- table inheritance (not partitioning: partitions keep their own column order
-- in pg_dump's output), and its parents in inhseqno order: enough to
-- predict the column order CREATE TABLE ... INHERITS gives it on restore.
-- kind 'c' rows: oid, qualified name, column; kind 'p' rows: oid, parent oid.
SELECT 'c' AS kind, c.oid::bigint AS oid, format('%I.%I', n.nspname, c.relname) AS name,
       quote_ident(a.attname) AS item, a.attnum::int AS pos
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND (EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                 WHERE i.inhrelid = c.oid AND p.relkind IN ('r', 'f'))
        OR (c.relkind <> 'p' AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid)))
UNION ALL
SELECT 'p', i.inhrelid::bigint, NULL, i.inhparent::bigint::text, i.inhseqno
  FROM pg_inherits i
  JOIN pg_class p ON p.oid = i.inhparent
 WHERE p.relkind IN ('r', 'f')
 ORDER BY 2, 1, 5
