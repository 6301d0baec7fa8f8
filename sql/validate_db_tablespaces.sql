-- Tablespaces other than the database's default that hold relations of the
-- current database, with counts; and the database's own default tablespace
-- when it is not pg_default (one row with is_database_default).
SELECT t.spcname AS tablespace,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'm')) AS tables,
       count(*) FILTER (WHERE c.relkind IN ('i', 'I')) AS indexes,
       false AS is_database_default
  FROM pg_class c
  JOIN pg_tablespace t ON t.oid = c.reltablespace
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 GROUP BY t.spcname
UNION ALL
SELECT t.spcname, 0, 0, true
  FROM pg_database d
  JOIN pg_tablespace t ON t.oid = d.dattablespace
 WHERE d.datname = current_database() AND t.spcname <> 'pg_default'
 ORDER BY 4 DESC, 1
