-- Columns COPY carries for each copied table ($1: table oids as text[]):
-- stored, non-generated columns in attnum order, and whether the column's
-- type can travel in binary COPY format between two servers. Binary is safe
-- for built-in types with binary I/O and for base/enum types without element
-- OIDs; arrays and composites of user-defined types embed type OIDs that
-- differ between servers, and the reg* types travel as raw OIDs, so tables
-- with those go in text format.
SELECT a.attrelid::bigint AS table_oid,
       a.attname AS name,
       (t.typsend <> 0 AND t.typreceive <> 0
        AND (t.oid < 16384 OR (t.typtype IN ('b', 'e') AND t.typelem = 0))
        AND NOT (coalesce(e.typname, t.typname) ~ '^reg'
                 AND coalesce(e.typnamespace, t.typnamespace) = 'pg_catalog'::regnamespace)) AS binary_ok
  FROM pg_attribute a
  JOIN pg_type dt ON dt.oid = a.atttypid
  JOIN pg_type t ON t.oid = CASE WHEN dt.typtype = 'd' THEN dt.typbasetype ELSE dt.oid END
  LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typlen = -1
 WHERE a.attrelid = ANY ($1::oid[])
   AND a.attnum > 0
   AND NOT a.attisdropped
   AND coalesce(to_jsonb(a) ->> 'attgenerated', '') = ''
 ORDER BY a.attrelid, a.attnum
