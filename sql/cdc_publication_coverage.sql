-- A publication given with --publication ($1) and how it covers the tables
-- an online migration streams ($2: their OIDs, ordinary tables and
-- partitions, as text[]): one row when it exists, none when not. A table
-- is covered when it, or a partitioned table it is a partition of, is
-- published (pg_publication_tables lists FOR ALL TABLES and FOR TABLES IN
-- SCHEMA too, by leaf or by root as publish_via_partition_root says).
-- Shared by validation (Publication) and the engine's start.
WITH RECURSIVE
streamed AS (
    SELECT c.oid AS relid, c.oid AS up
      FROM pg_catalog.pg_class c
     WHERE c.oid = ANY ($2::text[]::oid[])
    UNION ALL
    SELECT s.relid, i.inhparent
      FROM streamed s
      JOIN pg_catalog.pg_class c ON c.oid = s.up
      JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid
     WHERE coalesce((to_jsonb(c) ->> 'relispartition')::boolean, false)
),
published AS (
    SELECT c.oid
      FROM pg_catalog.pg_publication_tables pt
      JOIN pg_catalog.pg_namespace n ON n.nspname = pt.schemaname
      JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
     WHERE pt.pubname = $1
),
uncovered AS (
    SELECT s.relid, pg_catalog.format('%I.%I', n.nspname, c.relname) AS qname
      FROM (SELECT DISTINCT relid FROM streamed) s
      JOIN pg_catalog.pg_class c ON c.oid = s.relid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT EXISTS (SELECT 1 FROM streamed a JOIN published p ON p.oid = a.up
                        WHERE a.relid = s.relid)
)
SELECT pg_catalog.pg_get_userbyid(p.pubowner) AS owner,
       p.puballtables AS all_tables,
       p.pubinsert AS ins,
       p.pubupdate AS upd,
       p.pubdelete AS del,
       coalesce((to_jsonb(p) ->> 'pubtruncate')::boolean, true) AS trunc,
       (SELECT pg_catalog.count(*) FROM uncovered) AS uncovered_count,
       (SELECT pg_catalog.string_agg(qname, ', ' ORDER BY qname)
          FROM (SELECT qname FROM uncovered ORDER BY qname LIMIT 10) u) AS uncovered
  FROM pg_catalog.pg_publication p
 WHERE p.pubname = $1
