-- Objects newer servers no longer accept, from sources older than 12 / 14:
-- tables WITH OIDS (their oid column is gone in 12+) and postfix operators
-- (gone in 14+). Works on 9.5+ (relhasoids is read through to_jsonb).
SELECT 'with_oids' AS kind, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND coalesce((to_jsonb(c) ->> 'relhasoids')::boolean, false)
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'postfix_operator', format('%I.%s (%s, NONE)', n.nspname, o.oprname, format_type(o.oprleft, NULL))
  FROM pg_operator o
  JOIN pg_namespace n ON n.oid = o.oprnamespace
 WHERE o.oprright = 0 AND o.oprleft <> 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e')
 ORDER BY 1, 2
