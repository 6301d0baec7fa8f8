-- Settings of the current database (ALTER DATABASE ... SET: role NULL) and of
-- roles in it (ALTER ROLE ... IN DATABASE ... SET), one "name=value" a row.
SELECT r.rolname AS role, unnest(s.setconfig) AS setting
  FROM pg_db_role_setting s
  LEFT JOIN pg_roles r ON r.oid = s.setrole
 WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY 1 NULLS FIRST, 2
