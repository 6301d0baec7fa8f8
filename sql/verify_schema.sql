-- pgshuttle verify: a catalog fingerprint of the current database's schema,
-- one row per fact: (kind, identity, definition). Used instead of pg_dump when
-- the installed pg_dump is older than one of the servers. Run it on both
-- sides with search_path = '' so that every name comes out schema-qualified,
-- and compare the rows by (kind, identity).
--
-- Works on 9.5+: catalog columns that newer versions added (attidentity,
-- attgenerated, prokind, tgparentid, polpermissive) are read through
-- to_jsonb(row) so the query parses everywhere. Facts that need PostgreSQL
-- 10 (partitioning, sequence parameters, publications, collations) are in
-- verify_schema_10.sql. Left out on purpose: extension members, the MAINTAIN
-- privilege (new in 17), extension versions, not-null constraints as
-- pg_constraint rows (18; attnotnull carries them), TOAST and temp schemas.
WITH ns AS (
    SELECT oid, nspname, nspowner, nspacl FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema')
       AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
), ext AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), rel AS (
    -- explicit columns: before PostgreSQL 12, c.* leaves out the oid
    SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.reloptions, c.relrowsecurity,
           c.relforcerowsecurity, c.relreplident, c.relowner, c.relacl
      FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c', 'i', 'I')
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
), fn AS (
    SELECT p.oid, p.proowner, p.proacl,
           coalesce(to_jsonb(p) ->> 'prokind',
                         CASE WHEN (to_jsonb(p) ->> 'proisagg')::boolean THEN 'a'
                              WHEN (to_jsonb(p) ->> 'proiswindow')::boolean THEN 'w'
                              ELSE 'f' END) AS kind
      FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
), typ AS (
    -- user types that are not arrays, table row types or multiranges
    SELECT t.oid, t.typtype, t.typowner, t.typacl, t.typbasetype, t.typtypmod, t.typcollation,
           t.typnotnull, t.typdefault, t.typinput, t.typoutput, t.typlen
      FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
     WHERE t.typtype IN ('b', 'd', 'e', 'r', 'p')
       AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
), acls(classid, objid, subid, acl, owner, dflt) AS (
    SELECT 'pg_class'::regclass, c.oid, 0, c.relacl, c.relowner,
           acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner)
      FROM rel c WHERE c.relacl IS NOT NULL
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum, a.attacl, c.relowner, acldefault('c', c.relowner)
      FROM pg_attribute a JOIN rel c ON c.oid = a.attrelid
     WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, 0, p.proacl, p.proowner, acldefault('f', p.proowner)
      FROM fn p WHERE p.proacl IS NOT NULL
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, 0, t.typacl, t.typowner, acldefault('T', t.typowner)
      FROM typ t WHERE t.typacl IS NOT NULL
    UNION ALL
    SELECT 'pg_namespace'::regclass, n.oid, 0, n.nspacl, n.nspowner, acldefault('n', n.nspowner)
      FROM ns n WHERE n.nspacl IS NOT NULL
), acl_text AS (
    -- grantee=PRIVILEGE, sorted; the object's owner is written OWNER, so that a
    -- different owner shows once (as "owner of"), not again in every privilege
    SELECT a.classid, a.objid, a.subid,
           (SELECT coalesce(string_agg(e, ',' ORDER BY e COLLATE "C"), '(none)')
              FROM (SELECT format('%s=%s%s',
                                  CASE WHEN x.grantee = 0 THEN 'PUBLIC' WHEN x.grantee = a.owner THEN 'OWNER'
                                       ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                                  x.privilege_type, CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS e
                      FROM aclexplode(a.acl) x WHERE x.privilege_type <> 'MAINTAIN') s) AS acl,
           (SELECT coalesce(string_agg(e, ',' ORDER BY e COLLATE "C"), '(none)')
              FROM (SELECT format('%s=%s%s',
                                  CASE WHEN x.grantee = 0 THEN 'PUBLIC' WHEN x.grantee = a.owner THEN 'OWNER'
                                       ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                                  x.privilege_type, CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS e
                      FROM aclexplode(a.dflt) x WHERE x.privilege_type <> 'MAINTAIN') s) AS dflt
      FROM acls a
), owned(classid, objid, owner) AS (
    SELECT 'pg_class'::regclass, c.oid, c.relowner FROM rel c WHERE c.relkind NOT IN ('i', 'I')
    UNION ALL SELECT 'pg_proc'::regclass, p.oid, p.proowner FROM fn p
    UNION ALL SELECT 'pg_type'::regclass, t.oid, t.typowner FROM typ t
    UNION ALL SELECT 'pg_namespace'::regclass, n.oid, n.nspowner FROM ns n
)
-- schemas
SELECT 'schema'::text AS kind, quote_ident(n.nspname) AS identity, ''::text AS definition
  FROM ns n
UNION ALL
-- relations: kind, persistence, options, row security, replica identity, parents
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                      WHEN 'S' THEN 'sequence' WHEN 'c' THEN 'type' END,
       c.oid::regclass::text,
       concat_ws(' ',
                 CASE c.relkind WHEN 'p' THEN 'partitioned' WHEN 'c' THEN 'composite' END,
                 CASE c.relpersistence WHEN 'u' THEN 'unlogged' END,
                 CASE WHEN c.reloptions IS NOT NULL
                      THEN 'with (' || array_to_string(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY 1), ', ') || ')' END,
                 CASE WHEN c.relrowsecurity THEN 'row security' END,
                 CASE WHEN c.relforcerowsecurity THEN 'forced row security' END,
                 CASE WHEN c.relkind IN ('r', 'p', 'm') AND c.relreplident <> 'd'
                      THEN 'replica identity ' || CASE c.relreplident WHEN 'f' THEN 'full' WHEN 'n' THEN 'nothing' WHEN 'i' THEN 'index' ELSE c.relreplident::text END END,
                 (SELECT 'inherits ' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
                    FROM pg_inherits i WHERE i.inhrelid = c.oid))
  FROM rel c WHERE c.relkind NOT IN ('i', 'I')
UNION ALL
-- columns: position among the live columns (not for inheritance children and partitions,
-- whose column order pg_dump does not keep), type, collation, not null, default or generation, identity
SELECT 'column', c.oid::regclass::text || '.' || quote_ident(a.attname),
       concat_ws(' ',
                 CASE WHEN NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
                      THEN '#' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) END,
                 format_type(a.atttypid, a.atttypmod),
                 CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                      THEN 'COLLATE ' || (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                           WHERE co.oid = a.attcollation) END,
                 CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                 CASE WHEN coalesce(to_jsonb(a) ->> 'attgenerated', '') <> ''
                      THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                      WHEN ad.adbin IS NOT NULL THEN 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END,
                 CASE coalesce(to_jsonb(a) ->> 'attidentity', '')
                      WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                      WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END)
  FROM rel c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
UNION ALL
-- constraints of tables and domains (not-null ones are in the columns' rows)
SELECT 'constraint',
       CASE WHEN co.conrelid <> 0 THEN co.conrelid::regclass::text
            ELSE 'domain ' || format_type(co.contypid, NULL) END || ' ' || quote_ident(co.conname),
       pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace
 WHERE co.contype <> 'n'
   -- not the copies PostgreSQL derives from a partitioned table's constraint (11+), whose
   -- names depend on the server version, as pg_dump leaves them out too
   AND coalesce((to_jsonb(co) ->> 'conparentid')::oid, 0) = 0
   AND (co.conrelid = 0 OR co.conrelid IN (SELECT oid FROM rel))
   AND (co.contypid = 0 OR co.contypid IN (SELECT oid FROM typ))
UNION ALL
-- indexes
SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i
 WHERE i.indexrelid IN (SELECT oid FROM rel) AND i.indrelid IN (SELECT oid FROM rel)
UNION ALL
-- view and materialized view queries (white space folded)
SELECT 'view definition', c.oid::regclass::text,
       btrim(regexp_replace(pg_get_viewdef(c.oid, true), '\s+', ' ', 'g'))
  FROM rel c WHERE c.relkind IN ('v', 'm')
UNION ALL
-- rules other than the views' own
SELECT 'rule', r.ev_class::regclass::text || ' ' || quote_ident(r.rulename), pg_get_ruledef(r.oid, true)
  FROM pg_rewrite r
 WHERE r.rulename <> '_RETURN' AND r.ev_class IN (SELECT oid FROM rel)
UNION ALL
-- functions and procedures (whole definition), aggregates (their parts)
SELECT CASE p.kind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END,
       p.oid::regprocedure::text,
       CASE WHEN p.kind = 'a'
            THEN (SELECT format('returns %s sfunc %s stype %s finalfunc %s initcond %s',
                                pg_get_function_result(p.oid), g.aggtransfn::regprocedure,
                                format_type(g.aggtranstype, NULL),
                                CASE WHEN g.aggfinalfn <> 0 THEN g.aggfinalfn::regprocedure::text ELSE '-' END,
                                coalesce(g.agginitval, '-'))
                    FROM pg_aggregate g WHERE g.aggfnoid = p.oid)
            ELSE pg_get_functiondef(p.oid) END
  FROM fn p
UNION ALL
-- triggers (not internal ones, not the clones on partitions)
SELECT 'trigger', t.tgrelid::regclass::text || ' ' || quote_ident(t.tgname),
       replace(pg_get_triggerdef(t.oid), 'EXECUTE PROCEDURE', 'EXECUTE FUNCTION')
       || CASE t.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replica)'
                           WHEN 'A' THEN ' (enabled always)' ELSE '' END
  FROM pg_trigger t
 WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT oid FROM rel)
   AND coalesce((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
UNION ALL
-- event triggers
SELECT 'event trigger', quote_ident(e.evtname),
       format('on %s execute %s%s%s', e.evtevent, e.evtfoid::regprocedure,
              CASE WHEN e.evttags IS NOT NULL THEN ' when tag in (' || array_to_string(e.evttags, ', ') || ')' ELSE '' END,
              CASE e.evtenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replica)'
                                WHEN 'A' THEN ' (enabled always)' ELSE '' END)
  FROM pg_event_trigger e
 WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_event_trigger'::regclass AND ext.objid = e.oid)
UNION ALL
-- enums, domains, ranges, base and pseudo types
SELECT 'type', format_type(t.oid, NULL),
       CASE t.typtype
            WHEN 'e' THEN 'enum (' || (SELECT coalesce(string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder), '')
                                        FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
            WHEN 'd' THEN concat_ws(' ', 'domain over', format_type(t.typbasetype, t.typtypmod),
                                    CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
                                         THEN 'COLLATE ' || (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                                               FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                                              WHERE co.oid = t.typcollation) END,
                                    CASE WHEN t.typnotnull THEN 'NOT NULL' END,
                                    CASE WHEN t.typdefault IS NOT NULL THEN 'DEFAULT ' || t.typdefault END)
            WHEN 'r' THEN (SELECT 'range of ' || format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
            WHEN 'b' THEN format('base type input %s output %s length %s', t.typinput::regproc, t.typoutput::regproc, t.typlen)
            ELSE 'pseudo type' END
  FROM typ t
UNION ALL
-- extensions (not their versions: they differ between server majors)
SELECT 'extension', quote_ident(e.extname), 'schema ' || quote_ident(n.nspname)
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
UNION ALL
-- row security policies
SELECT 'policy', p.polrelid::regclass::text || ' ' || quote_ident(p.polname),
       format('as %s for %s to %s using (%s) with check (%s)',
              CASE WHEN coalesce((to_jsonb(p) ->> 'polpermissive')::boolean, true) THEN 'permissive' ELSE 'restrictive' END,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                            WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
              (SELECT string_agg(x, ', ' ORDER BY x COLLATE "C")
                 FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END AS x
                         FROM unnest(p.polroles) r) s),
              coalesce(pg_get_expr(p.polqual, p.polrelid), '-'),
              coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
  FROM pg_policy p WHERE p.polrelid IN (SELECT oid FROM rel)
UNION ALL
-- comments on everything that is not part of an extension
SELECT 'comment on', o.type || ' ' || o.identity, d.description
  FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
 WHERE d.objoid >= 16384
   AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = d.classoid AND ext.objid = d.objoid)
   AND coalesce(o.schema, '') !~ '^pg_(toast|temp_|toast_temp_)'
   AND coalesce(o.schema, '') NOT IN ('pg_catalog', 'information_schema')
UNION ALL
-- owners
SELECT 'owner of', o.type || ' ' || o.identity, quote_ident(pg_get_userbyid(w.owner))
  FROM owned w, LATERAL pg_identify_object(w.classid, w.objid, 0) o
UNION ALL
-- privileges that differ from the built-in defaults
SELECT 'privileges on', o.type || ' ' || o.identity, a.acl
  FROM acl_text a, LATERAL pg_identify_object(a.classid, a.objid, a.subid) o
 WHERE a.acl <> a.dflt
UNION ALL
-- default privileges
SELECT 'default privileges',
       format('for role %s in schema %s on %s', quote_ident(pg_get_userbyid(d.defaclrole)),
              CASE WHEN d.defaclnamespace = 0 THEN '-' ELSE (SELECT quote_ident(nspname) FROM pg_namespace WHERE oid = d.defaclnamespace) END,
              d.defaclobjtype),
       (SELECT coalesce(string_agg(e, ',' ORDER BY e COLLATE "C"), '(none)')
          FROM (SELECT format('%s=%s%s',
                              CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                              x.privilege_type, CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS e
                  FROM aclexplode(d.defaclacl) x WHERE x.privilege_type <> 'MAINTAIN') s)
  FROM pg_default_acl d
