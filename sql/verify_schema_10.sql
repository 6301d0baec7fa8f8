-- pgshuttle verify: the part of the catalog fingerprint (see verify_schema.sql)
-- that needs PostgreSQL 10 or later on both servers: partition keys and
-- bounds, sequence parameters, publications and user collations.
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema')
       AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
), ext AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), rel AS (
    SELECT c.oid, c.relkind, c.relispartition, c.relpartbound
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
)
SELECT 'partition key'::text AS kind, c.oid::regclass::text AS identity,
       pg_get_partkeydef(c.oid) AS definition
  FROM rel c WHERE c.relkind = 'p'
UNION ALL
SELECT 'partition bound', c.oid::regclass::text, pg_get_expr(c.relpartbound, c.oid)
  FROM rel c WHERE c.relispartition
UNION ALL
SELECT 'sequence parameters', s.seqrelid::regclass::text,
       concat_ws(' ',
                 format('as %s start %s increment %s minvalue %s maxvalue %s cache %s%s',
                        format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                        s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END),
                 (SELECT CASE d.deptype WHEN 'i' THEN 'identity of ' ELSE 'owned by ' END
                         || d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                    FROM pg_depend d
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                   LIMIT 1))
  FROM pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM rel)
UNION ALL
SELECT 'publication', quote_ident(p.pubname),
       format('all tables %s insert %s update %s delete %s', p.puballtables, p.pubinsert,
              p.pubupdate, p.pubdelete)
  FROM pg_publication p
UNION ALL
SELECT 'publication table', quote_ident(t.pubname) || ' ' || quote_ident(t.schemaname) || '.' || quote_ident(t.tablename), ''
  FROM pg_publication_tables t
UNION ALL
SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(co.collname),
       format('provider %s collate %s ctype %s locale %s', co.collprovider,
              coalesce(to_jsonb(co) ->> 'collcollate', '-'), coalesce(to_jsonb(co) ->> 'collctype', '-'),
              coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale', '-'))
  FROM pg_collation co JOIN ns n ON n.oid = co.collnamespace
 WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_collation'::regclass AND ext.objid = co.oid)
