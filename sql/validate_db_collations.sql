-- Every collation the current database depends on besides its default:
-- collations of columns (tables, views, composite types), indexes, domains
-- and range types, collations named in expressions (pg_depend), and every
-- collation defined in a user schema (the schema restore creates those).
-- One row per collation with up to 5 users named and the number of users.
-- Works on 9.5+: columns that newer versions added are read through to_jsonb.
WITH users AS (
    SELECT a.attcollation AS coll,
           format('%I.%I.%I', n.nspname, c.relname, a.attname) AS what
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attcollation <> 0
       AND c.relkind IN ('r', 'p', 'f', 'm', 'v', 'c')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_(toast|temp_)'
    UNION
    SELECT k.coll, format('index %I.%I', n.nspname, c.relname)
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL unnest(i.indcollation::oid[]) AS k(coll)
     WHERE k.coll <> 0
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_(toast|temp_)'
    UNION
    SELECT t.typcollation, format('domain %I.%I', n.nspname, t.typname)
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typtype = 'd' AND t.typcollation <> 0
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION
    SELECT r.rngcollation, format('range type %I.%I', n.nspname, t.typname)
      FROM pg_range r
      JOIN pg_type t ON t.oid = r.rngtypid
      JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE r.rngcollation <> 0
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION
    SELECT d.refobjid, pg_describe_object(d.classid, d.objid, d.objsubid)
      FROM pg_depend d
     WHERE d.refclassid = 'pg_collation'::regclass AND d.deptype = 'n'
       AND d.classid NOT IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_collation'::regclass)
    UNION
    SELECT c.oid, NULL
      FROM pg_collation c
      JOIN pg_namespace n ON n.oid = c.collnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
),
agg AS (
    SELECT coll, count(what) AS nusers,
           array_to_string((array_agg(what ORDER BY what) FILTER (WHERE what IS NOT NULL))[1:5], ', ') AS users
      FROM users
     GROUP BY coll
)
SELECT c.oid::bigint AS oid,
       n.nspname AS schema,
       c.collname AS name,
       n.nspname <> 'pg_catalog' AS user_defined,
       coalesce(to_jsonb(c) ->> 'collprovider', 'c') AS provider,
       c.collcollate AS collate,
       c.collctype AS ctype,
       coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale',
                CASE WHEN to_jsonb(c) ->> 'collprovider' = 'i' THEN c.collcollate END) AS locale,
       coalesce((to_jsonb(c) ->> 'collisdeterministic')::boolean, true) AS deterministic,
       to_jsonb(c) ->> 'collicurules' AS rules,
       CASE WHEN c.collencoding = -1 THEN NULL ELSE pg_encoding_to_char(c.collencoding) END AS encoding,
       to_jsonb(c) ->> 'collversion' AS recorded_version,
       agg.nusers,
       agg.users
  FROM agg
  JOIN pg_collation c ON c.oid = agg.coll
  JOIN pg_namespace n ON n.oid = c.collnamespace
 WHERE c.oid <> 100 -- "default": the database's own locale, checked on its own
 ORDER BY n.nspname <> 'pg_catalog' DESC, n.nspname, c.collname
