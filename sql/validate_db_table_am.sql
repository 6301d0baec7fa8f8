-- Table access methods other than heap that relations of the current
-- database use (12+), with the extension that provides each (NULL: made
-- with CREATE ACCESS METHOD, so the restore re-creates it) and its handler.
SELECT am.amname AS am,
       count(*) AS relations,
       array_to_string((array_agg(format('%I.%I', n.nspname, c.relname) ORDER BY n.nspname, c.relname))[1:5], ', ') AS names,
       (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
         WHERE d.classid = 'pg_am'::regclass AND d.objid = am.oid AND d.deptype = 'e'
         LIMIT 1) AS extension,
       am.amhandler::text AS handler
  FROM pg_class c
  JOIN pg_am am ON am.oid = c.relam
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'm') AND am.amname <> 'heap'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 GROUP BY am.oid, am.amname, am.amhandler
 ORDER BY am.amname
