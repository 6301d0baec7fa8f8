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
--     compared as text when a whole row is matched;
--   array_type: the column's array type without its typmod, for statements
--     that carry many rows in array parameters (the column's own assignment
--     coerces each value to the typmod; a typmod on the array would coerce
--     every element once more first); NULL for arrays and composites (and
--     domains over them), whose values cannot be unnested back;
--   delim: the type's array element delimiter;
--   fires_in_replica: a trigger or rule of the table (or of a partition or
--     child) fires under session_replication_role = replica (ENABLE ALWAYS or
--     ENABLE REPLICA): the applier then keeps the table's changes in stream
--     order with every other table's.
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
tree (oid) AS (
    SELECT oid FROM tbl
    UNION
    SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.oid
),
fires AS (
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                    WHERE g.tgrelid IN (SELECT oid FROM tree) AND g.tgenabled IN ('A', 'R')
                      AND NOT g.tgisinternal)
           OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r
                       WHERE r.ev_class IN (SELECT oid FROM tree) AND r.ev_enabled IN ('A', 'R')
                         AND r.rulename <> '_RETURN') AS fires_in_replica
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
                THEN t.typelem ELSE t.oid END AS compared,
           (t.typlen = -1 AND t.typelem <> 0) OR t.typtype = 'c' AS no_array
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
),
arr AS (
    SELECT r.typ, ct.typarray, ct.typdelim, r.no_array
      FROM resolved r
      JOIN pg_catalog.pg_type ct ON ct.oid = r.typ
)
SELECT a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.atttypid AS typoid,
       coalesce(pg_catalog.to_jsonb(a) ->> 'attgenerated', '') <> '' AS generated,
       coalesce(pg_catalog.to_jsonb(a) ->> 'attidentity', '') = 'a' AS identity_always,
       coalesce(eq.has_eq, false) AS has_eq,
       coalesce(a.attnum = ANY ((SELECT attnums FROM key)::int2[]), false) AS is_key,
       CASE WHEN NOT arr.no_array AND arr.typarray <> 0
            THEN pg_catalog.format_type(arr.typarray, -1) END AS array_type,
       arr.typdelim AS delim,
       tbl.relkind AS relkind,
       tbl.relreplident AS replident,
       fires.fires_in_replica
  FROM tbl
  CROSS JOIN fires
  LEFT JOIN cols a ON true
  LEFT JOIN eq ON eq.typ = a.atttypid
  LEFT JOIN arr ON arr.typ = a.atttypid
 ORDER BY a.attnum
