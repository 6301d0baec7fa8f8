-- Data fingerprint of the current database, one line per object, for
-- compare_databases (tests/integration/lib.sh).  Independent of pgshuttle.
--
--   table SCHEMA.NAME rows=N md5=X      every table that stores rows (plain
--                                       tables, partitions, inheritance
--                                       parents and children via ONLY,
--                                       unlogged tables) and every populated
--                                       materialized view
--   sequence SCHEMA.NAME last_value=N is_called=B
--   largeobject OID owner=R acl=A size=N md5=X
--
-- The table checksum is md5 over the sorted md5s of each row's text form
-- (columns taken in name order), so it depends neither on the physical row
-- order, nor on the column order (the catalog inventory checks that), nor on
-- the collation.  Text forms are
-- pinned by the session settings below (float digits, dates, intervals,
-- money, bytea, reg* names via search_path).  Read-only.

\set QUIET 1
\pset format unaligned
\pset tuples_only on
\pset footer off
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SET LOCAL search_path = pg_catalog;
SET LOCAL extra_float_digits = 3;
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';
SET LOCAL IntervalStyle = 'postgres';
SET LOCAL bytea_output = 'hex';
SET LOCAL lc_monetary = 'C';
SET LOCAL xmloption = 'content';
SET LOCAL statement_timeout = 0;

SELECT format('SELECT %L || '' rows='' || count(*) || '' md5='' || md5(coalesce(string_agg(h, '''' ORDER BY h COLLATE "C"), '''')) FROM (SELECT md5(ROW(%s)::text) AS h FROM ONLY %s t) s',
              'table ' || c.oid::regclass::text,
              coalesce((SELECT string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY a.attname COLLATE "C")
                        FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''),
              c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1
\gexec

SELECT format('SELECT %L || '' last_value='' || last_value || '' is_called='' || is_called FROM %s',
              'sequence ' || c.oid::regclass::text, c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1
\gexec

SELECT format('largeobject %s owner=%s acl=%s size=%s md5=%s', m.oid, pg_get_userbyid(m.lomowner),
              coalesce((SELECT string_agg(e, ',' ORDER BY e)
                        FROM (SELECT format('%s:%s:%s%s',
                                            CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END,
                                            pg_get_userbyid(x.grantor), x.privilege_type,
                                            CASE WHEN x.is_grantable THEN '*' ELSE '' END) AS e
                              FROM aclexplode(coalesce(m.lomacl, acldefault('L', m.lomowner))) x) s), '-'),
              length(b.data), md5(b.data))
FROM pg_largeobject_metadata m, LATERAL (SELECT lo_get(m.oid) AS data) b
ORDER BY m.oid;

COMMIT;
