-- Catalog inventory of the current database, one object per line, for
-- compare_databases (tests/integration/lib.sh).  Independent of pgshuttle.
--
-- Run with psql -X -v ON_ERROR_STOP=1 -v side_major=N -v min_major=M
-- -v same_major=t|f -v column_order=t|f where side_major is this server's
-- major and min_major the lower major of the two servers being compared:
-- side_major decides HOW a fact is read (catalog columns differ between
-- versions), min_major decides WHICH facts are printed (only those both
-- servers can have), so that two servers of different majors print
-- comparable lines.  Works on PostgreSQL 10 to 17.
--
-- Privileges are printed through aclexplode() of the ACL or, when it is NULL,
-- of acldefault() (a NULL ACL and an explicit default one mean the same),
-- without MAINTAIN (new in 17).  Trigger definitions have EXECUTE PROCEDURE
-- spelt EXECUTE FUNCTION (11+).  View definitions are only compared between
-- servers of the same major (16 stopped qualifying column names).
-- column_order=f leaves out column positions.
-- Objects that belong to extensions are left out (the extension is listed).

\set QUIET 1
\pset format unaligned
\pset tuples_only on
\pset footer off
-- The helpers below are temporary objects created inside a transaction that
-- is rolled back at the end: the compared database is left as it was.
BEGIN;
SET LOCAL search_path = pg_catalog;
SET LOCAL extra_float_digits = 3;
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';
SET LOCAL IntervalStyle = 'postgres';

SELECT :side_major >= 11 AS s11, :side_major >= 12 AS s12, :side_major >= 13 AS s13,
       :side_major >= 14 AS s14, :side_major >= 15 AS s15,
       :min_major >= 11 AS m11, :min_major >= 12 AS m12, :min_major >= 13 AS m13,
       :min_major >= 14 AS m14, :min_major >= 15 AS m15
\gset

-- User namespaces
CREATE TEMP VIEW inv_ns AS
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_';

-- Objects that are members of an extension
CREATE TEMP VIEW inv_extmember AS
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e';

-- ACL as sorted grantee:grantor:privilege[*] list
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(e, ',' ORDER BY e), '-')
    FROM (SELECT format('%s:%s:%s%s',
                        CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END,
                        pg_get_userbyid(x.grantor), x.privilege_type,
                        CASE WHEN x.is_grantable THEN '*' ELSE '' END) AS e
          FROM aclexplode(a) x
          WHERE x.privilege_type <> 'MAINTAIN') s
$$;

-- database
SELECT format('database encoding=%s owner=%s connlimit=%s acl=%s comment=%s',
              pg_encoding_to_char(d.encoding), pg_get_userbyid(d.datdba), d.datconnlimit,
              pg_temp.acl(coalesce(d.datacl, acldefault('d', d.datdba))), coalesce(shobj_description(d.oid, 'pg_database'), '-'))
FROM pg_database d WHERE d.datname = current_database();
SELECT format('database locale collate=%s ctype=%s', d.datcollate, d.datctype)
FROM pg_database d WHERE d.datname = current_database();
SELECT format('database setting role=%s config=%s',
              CASE WHEN s.setrole = 0 THEN '-' ELSE pg_get_userbyid(s.setrole) END,
              array_to_string(ARRAY(SELECT unnest(s.setconfig) ORDER BY 1), ','))
FROM pg_db_role_setting s
WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database());

-- schemas
SELECT format('schema %I owner=%s acl=%s', n.nspname, pg_get_userbyid(n.nspowner), pg_temp.acl(coalesce(n.nspacl, acldefault('n', n.nspowner))))
FROM pg_namespace n JOIN inv_ns USING (oid);

-- extensions (not their versions: they differ between server majors)
SELECT format('extension %I schema=%I', e.extname, n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace;

-- relations
SELECT format('relation %s kind=%s persistence=%s owner=%s acl=%s options=%s replident=%s rls=%s/%s populated=%s partition=%s partkey=%s inherits=%s',
              c.oid::regclass, c.relkind, c.relpersistence, pg_get_userbyid(c.relowner),
              pg_temp.acl(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))),
              coalesce(array_to_string(ARRAY(SELECT unnest(c.reloptions) ORDER BY 1), ','), '-'),
              c.relreplident, c.relrowsecurity, c.relforcerowsecurity,
              CASE WHEN c.relkind = 'm' THEN c.relispopulated::text ELSE '-' END,
              coalesce(pg_get_expr(c.relpartbound, c.oid), '-'),
              CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '-' END,
              coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
                        FROM pg_inherits i WHERE i.inhrelid = c.oid), '-'))
FROM pg_class c JOIN inv_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid);

-- columns (position among the non-dropped columns)
\if :m14
\set inv_compression 'a.attcompression::text'
\else
\set inv_compression '''-'''
\endif
\if :m12
\set inv_generated 'a.attgenerated::text'
\else
\set inv_generated '''-'''
\endif
SELECT format('column %s.%I pos=%s type=%s notnull=%s default=%s identity=%s generated=%s collation=%s stattarget=%s storage=%s options=%s acl=%s inhcount=%s local=%s compression=%s',
              c.oid::regclass, a.attname,
              CASE WHEN :'column_order' THEN (row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum))::text ELSE '-' END,
              format_type(a.atttypid, a.atttypmod), a.attnotnull,
              coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-'),
              a.attidentity, :inv_generated,
              CASE WHEN a.attcollation = 0 THEN '-' ELSE (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                   FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END,
              coalesce(a.attstattarget::int, -1), a.attstorage,
              coalesce(array_to_string(ARRAY(SELECT unnest(a.attoptions) ORDER BY 1), ','), '-'),
              pg_temp.acl(a.attacl), a.attinhcount, a.attislocal, :inv_compression)
FROM pg_class c
JOIN inv_ns n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid);

-- constraints (table and domain)
SELECT format('constraint %I on %s type=%s deferrable=%s deferred=%s validated=%s noinherit=%s local=%s inhcount=%s def=%s',
              co.conname,
              CASE WHEN co.conrelid <> 0 THEN co.conrelid::regclass::text ELSE 'domain ' || co.contypid::regtype::text END,
              co.contype, co.condeferrable, co.condeferred, co.convalidated,
              CASE WHEN co.contype = 'c' THEN co.connoinherit::text ELSE '-' END,
              co.conislocal, co.coninhcount, pg_get_constraintdef(co.oid))
FROM pg_constraint co JOIN inv_ns n ON n.oid = co.connamespace
WHERE co.contype <> 'n'   -- NOT NULL as a constraint: domains in 17+, tables in 18+ (attnotnull/typnotnull say it)
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_type'::regclass AND e.objid = co.contypid);

-- indexes
SELECT format('index %s on %s def=%s clustered=%s replident=%s valid=%s stattargets=%s',
              i.indexrelid::regclass, i.indrelid::regclass, pg_get_indexdef(i.indexrelid),
              i.indisclustered, i.indisreplident, i.indisvalid,
              coalesce((SELECT string_agg(a.attnum || ':' || a.attstattarget, ',' ORDER BY a.attnum)
                        FROM pg_attribute a WHERE a.attrelid = i.indexrelid
                          AND coalesce(a.attstattarget::int, -1) >= 0), '-'))
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN inv_ns n ON n.oid = c.relnamespace;

-- triggers (user triggers; clones on partitions are left out)
\if :s13
\set inv_trigclone 't.tgparentid <> 0'
\else
\set inv_trigclone 'false'
\endif
SELECT format('trigger %I on %s enabled=%s def=%s',
              t.tgname, t.tgrelid::regclass, t.tgenabled,
              replace(pg_get_triggerdef(t.oid), 'EXECUTE PROCEDURE', 'EXECUTE FUNCTION'))
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN inv_ns n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND NOT (:inv_trigclone);

-- event triggers
SELECT format('event trigger %I event=%s enabled=%s function=%s tags=%s',
              evtname, evtevent, evtenabled, evtfoid::regprocedure, coalesce(array_to_string(evttags, ','), '-'))
FROM pg_event_trigger;

-- policies
SELECT format('policy %I on %s cmd=%s permissive=%s roles=%s using=%s check=%s',
              p.polname, p.polrelid::regclass, p.polcmd, p.polpermissive,
              (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END, ',' ORDER BY 1)
               FROM unnest(p.polroles) r),
              coalesce(pg_get_expr(p.polqual, p.polrelid), '-'),
              coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
FROM pg_policy p;

-- rules (not the _RETURN rules of views)
SELECT format('rule %I on %I.%I def=%s', rulename, schemaname, tablename, definition)
FROM pg_rules r JOIN inv_ns n ON n.nspname = r.schemaname
WHERE rulename <> '_RETURN';

-- views (definition as the server deparses it)
SELECT format('view %s def=%s', c.oid::regclass,
              CASE WHEN :'same_major' THEN regexp_replace(pg_get_viewdef(c.oid, true), '\s+', ' ', 'g')
                   ELSE '(not compared across majors)' END)
FROM pg_class c JOIN inv_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm');

-- functions, procedures, aggregates
\if :s11
\set inv_prokind 'p.prokind::text'
\else
\set inv_prokind 'CASE WHEN p.proisagg THEN ''a'' WHEN p.proiswindow THEN ''w'' ELSE ''f'' END'
\endif
SELECT format('function %s kind=%s owner=%s acl=%s lang=%s secdef=%s volatile=%s strict=%s leakproof=%s parallel=%s returns=%s config=%s src=%s',
              p.oid::regprocedure, :inv_prokind, pg_get_userbyid(p.proowner), pg_temp.acl(coalesce(p.proacl, acldefault('f', p.proowner))),
              l.lanname, p.prosecdef, p.provolatile, p.proisstrict, p.proleakproof, p.proparallel,
              pg_get_function_result(p.oid),
              coalesce(array_to_string(p.proconfig, ','), '-'), md5(p.prosrc))
FROM pg_proc p JOIN inv_ns n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid);

-- types: enums (labels in sort order), domains, ranges, composites, multiranges
SELECT format('type %s kind=%s owner=%s acl=%s detail=%s',
              t.oid::regtype, t.typtype, pg_get_userbyid(t.typowner), pg_temp.acl(coalesce(t.typacl, acldefault('T', t.typowner))),
              CASE t.typtype
                  WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder)
                                 FROM pg_enum e WHERE e.enumtypid = t.oid)
                  WHEN 'd' THEN format('base=%s notnull=%s default=%s', format_type(t.typbasetype, t.typtypmod),
                                       t.typnotnull, coalesce(t.typdefault, '-'))
                  WHEN 'r' THEN (SELECT format('subtype=%s', r.rngsubtype::regtype) FROM pg_range r WHERE r.rngtypid = t.oid)
                  ELSE '-' END)
FROM pg_type t JOIN inv_ns n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r', 'c', 'm')
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid);

-- sequences (parameters; values are in the data part)
SELECT format('sequence %s type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
              s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
              s.seqcache, s.seqcycle,
              coalesce((SELECT d.deptype::text || ':' || d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                        FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')), '-'))
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN inv_ns n ON n.oid = c.relnamespace;

-- collations, operators, text search configurations, extended statistics, casts
\if :m12
\set inv_deterministic 'co.collisdeterministic::text'
\else
\set inv_deterministic '''-'''
\endif
SELECT format('collation %I.%I provider=%s deterministic=%s', n.nspname, co.collname, co.collprovider, :inv_deterministic)
FROM pg_collation co JOIN inv_ns n ON n.oid = co.collnamespace
WHERE NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_collation'::regclass AND e.objid = co.oid);
SELECT format('operator %s owner=%s function=%s', o.oid::regoperator, pg_get_userbyid(o.oprowner), o.oprcode::regprocedure)
FROM pg_operator o JOIN inv_ns n ON n.oid = o.oprnamespace
WHERE NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid);
SELECT format('text search configuration %s parser=%s', c.oid::regconfig, c.cfgparser)
FROM pg_ts_config c JOIN inv_ns n ON n.oid = c.cfgnamespace;
SELECT format('statistics %I.%I on %s kinds=%s', n.nspname, s.stxname, s.stxrelid::regclass, array_to_string(s.stxkind, ','))
FROM pg_statistic_ext s JOIN inv_ns n ON n.oid = s.stxnamespace;
SELECT format('cast %s', pg_describe_object('pg_cast'::regclass, c.oid, 0))
FROM pg_cast c WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = 'pg_cast'::regclass AND e.objid = c.oid);

-- default privileges
SELECT format('default privileges role=%s schema=%s type=%s acl=%s',
              pg_get_userbyid(d.defaclrole),
              CASE WHEN d.defaclnamespace = 0 THEN '-' ELSE (SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = d.defaclnamespace) END,
              d.defaclobjtype, pg_temp.acl(d.defaclacl))
FROM pg_default_acl d;

-- publications and their tables
\if :m11
\set inv_pubtruncate 'p.pubtruncate::text'
\else
\set inv_pubtruncate '''-'''
\endif
SELECT format('publication %I owner=%s alltables=%s insert=%s update=%s delete=%s truncate=%s',
              p.pubname, pg_get_userbyid(p.pubowner), p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete,
              :inv_pubtruncate)
FROM pg_publication p;
\if :m15
SELECT format('publication %I table %I.%I columns=%s rowfilter=%s', pubname, schemaname, tablename,
              coalesce(array_to_string(attnames, ','), '-'), coalesce(rowfilter, '-'))
FROM pg_publication_tables;
\else
SELECT format('publication %I table %I.%I', pubname, schemaname, tablename) FROM pg_publication_tables;
\endif

-- comments on everything that is not part of an extension (incl. large objects)
SELECT format('comment on %s = %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
FROM pg_description d
WHERE d.objoid >= 16384
  AND NOT EXISTS (SELECT 1 FROM inv_extmember e WHERE e.classid = d.classoid AND e.objid = d.objoid);

ROLLBACK;
