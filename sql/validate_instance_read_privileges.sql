-- pgshuttle validate (Source read privileges): the relations in user schemas
-- whose rows the current role could not read while copying: no USAGE on the
-- schema, no SELECT on the table, partitioned table, materialized view or
-- sequence (pg_dump locks them, pgshuttle reads them), or row-level security
-- that would hide rows from it (it is not the owner, or the policy is forced,
-- and it has no BYPASSRLS). Extension members are left out, as the copy
-- leaves them to CREATE EXTENSION. Names are quoted for SQL. Works on 9.5+.
SELECT x.name, x.kind, x.schema, x.usage_ok, x.select_ok, x.rls_hides
  FROM (SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS name,
               pg_catalog.quote_ident(n.nspname) AS schema,
               CASE c.relkind WHEN 'S' THEN 'sequence'
                              WHEN 'm' THEN 'materialized view'
                              WHEN 'p' THEN 'partitioned table'
                              ELSE 'table' END AS kind,
               pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS usage_ok,
               pg_catalog.has_table_privilege(c.oid, 'SELECT') AS select_ok,
               c.relkind <> 'S' AND c.relrowsecurity
                 AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
                 AND NOT (SELECT u.rolbypassrls FROM pg_catalog.pg_roles u
                           WHERE u.rolname = current_user) AS rls_hides
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm', 'S')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                              AND d.objid = c.oid AND d.deptype = 'e')) x
 WHERE NOT x.usage_ok OR NOT x.select_ok OR x.rls_hides
 ORDER BY x.schema, x.name
