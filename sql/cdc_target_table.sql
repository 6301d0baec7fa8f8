-- The target table a change names, for the change applier ($1 schema, $2
-- table; ordinary and partitioned tables only): one row per column in
-- attnum order (a single row with a NULL name for a table without columns,
-- no row when the table does not exist), with the table's kind and replica
-- identity on every row. Run with search_path = '' so that format_type()
-- qualifies every type outside pg_catalog.
--   is_key: in the replica identity index (REPLICA IDENTITY USING INDEX),
--     else in the primary key;
--   has_eq: the type (domains followed) has a default btree or hash
--     operator class, directly or through a binary-coercible cast (varchar
--     uses text's), or is an enum, range or multirange, or an array of such
--     a type; columns of other types (json, point, xml, composites, ...) are
--     compared as text when a whole row is matched.
WITH RECURSIVE tbl AS (
    SELECT c.oid, c.relkind, c.relreplident
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
),
key AS (
    SELECT i.indkey::int2[] AS attnums
      FROM pg_catalog.pg_index i
      JOIN tbl ON i.indrelid = tbl.oid
     WHERE CASE WHEN tbl.relreplident = 'i' THEN i.indisreplident ELSE i.indisprimary END
     LIMIT 1
),
cols AS (
    SELECT a.*
      FROM pg_catalog.pg_attribute a
      JOIN tbl ON a.attrelid = tbl.oid
     WHERE a.attnum > 0 AND NOT a.attisdropped
),
base (typ, cur, depth) AS (
    SELECT DISTINCT atttypid, atttypid, 0 FROM cols
    UNION ALL
    SELECT b.typ, t.typbasetype, b.depth + 1
      FROM base b
      JOIN pg_catalog.pg_type t ON t.oid = b.cur
     WHERE t.typtype = 'd' AND b.depth < 16
),
resolved AS (
    SELECT b.typ,
           CASE WHEN t.typlen = -1 AND t.typelem <> 0 AND t.typcategory = 'A'
                THEN t.typelem ELSE t.oid END AS compared
      FROM base b
      JOIN pg_catalog.pg_type t ON t.oid = b.cur
     WHERE t.typtype <> 'd'
),
eq AS (
    SELECT r.typ,
           EXISTS (SELECT 1
                     FROM pg_catalog.pg_type x
                    WHERE x.oid = r.compared
                      AND (x.typtype IN ('e', 'r', 'm')
                           OR EXISTS (SELECT 1
                                        FROM pg_catalog.pg_opclass oc
                                        JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
                                       WHERE am.amname IN ('btree', 'hash') AND oc.opcdefault
                                         AND (oc.opcintype = x.oid
                                              OR EXISTS (SELECT 1
                                                           FROM pg_catalog.pg_cast k
                                                          WHERE k.castsource = x.oid
                                                            AND k.casttarget = oc.opcintype
                                                            AND k.castmethod = 'b'))))) AS has_eq
      FROM resolved r
)
SELECT a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       coalesce(pg_catalog.to_jsonb(a) ->> 'attgenerated', '') <> '' AS generated,
       coalesce(pg_catalog.to_jsonb(a) ->> 'attidentity', '') = 'a' AS identity_always,
       coalesce(eq.has_eq, false) AS has_eq,
       coalesce(a.attnum = ANY ((SELECT attnums FROM key)::int2[]), false) AS is_key,
       tbl.relkind AS relkind,
       tbl.relreplident AS replident
  FROM tbl
  LEFT JOIN cols a ON true
  LEFT JOIN eq ON eq.typ = a.atttypid
 ORDER BY a.attnum
