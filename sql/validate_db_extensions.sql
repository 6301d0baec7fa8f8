-- Extensions installed in the current (source) database, with the version
-- and schema pg_dump will name in CREATE EXTENSION IF NOT EXISTS ... WITH
-- SCHEMA. plpgsql is in every database already.
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname <> 'plpgsql'
 ORDER BY e.extname
