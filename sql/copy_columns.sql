-- Columns COPY carries for each copied table ($1: table oids as text[]):
-- stored, non-generated columns in attnum order, and whether the column's
-- type can travel in binary COPY format between two servers. Binary is safe
-- for built-in types and for base/enum types without element OIDs; arrays
-- and composites of user-defined types embed type OIDs that differ between
-- servers, so those tables go in text format.
SELECT a.attrelid::bigint AS table_oid,
       a.attname AS name,
       (t.oid < 16384
        OR (t.typtype IN ('b', 'e') AND t.typelem = 0
            AND t.typsend <> 0 AND t.typreceive <> 0)) AS binary_ok
  FROM pg_attribute a
  JOIN pg_type dt ON dt.oid = a.atttypid
  JOIN pg_type t ON t.oid = CASE WHEN dt.typtype = 'd' THEN dt.typbasetype ELSE dt.oid END
 WHERE a.attrelid = ANY ($1::oid[])
   AND a.attnum > 0
   AND NOT a.attisdropped
   AND coalesce(to_jsonb(a) ->> 'attgenerated', '') = ''
 ORDER BY a.attrelid, a.attnum
